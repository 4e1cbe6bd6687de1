package io.vipd.cluster;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The collection encodings shared by log entries ({@link Command}) and snapshots ({@link VipTable}). */
final class Wire {
    /** More elements than any real cluster has: a count beyond it means the bytes are not what they claim. */
    private static final int MAX_COUNT = 100_000;

    private Wire() {}

    static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_COUNT) {
            throw new IOException("implausible element count " + n);
        }
        return n;
    }

    static void writeStrings(DataOutputStream out, Map<String, String> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeUTF(e.getValue());
        }
    }

    static Map<String, String> readStrings(DataInputStream in) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (int i = count(in); i > 0; i--) {
            out.put(in.readUTF(), in.readUTF());
        }
        return out;
    }

    /** node → (name → value), as the table keeps health results and VIP definitions. */
    static void writeNested(DataOutputStream out, Map<String, Map<String, String>> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, Map<String, String>> e : map.entrySet()) {
            out.writeUTF(e.getKey());
            writeStrings(out, e.getValue());
        }
    }

    static Map<String, Map<String, String>> readNested(DataInputStream in) throws IOException {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (int i = count(in); i > 0; i--) {
            out.put(in.readUTF(), readStrings(in));
        }
        return out;
    }

    static void writeSet(DataOutputStream out, Set<String> set) throws IOException {
        out.writeInt(set.size());
        for (String s : set) {
            out.writeUTF(s);
        }
    }

    static Set<String> readSet(DataInputStream in) throws IOException {
        Set<String> out = new TreeSet<>();
        for (int i = count(in); i > 0; i--) {
            out.add(in.readUTF());
        }
        return out;
    }

    /** name → number, as a renewal's reply carries the epochs a node owns. */
    static void writeLongs(DataOutputStream out, Map<String, Long> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, Long> e : map.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    static Map<String, Long> readLongs(DataInputStream in) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        for (int i = count(in); i > 0; i--) {
            out.put(in.readUTF(), in.readLong());
        }
        return out;
    }
}
