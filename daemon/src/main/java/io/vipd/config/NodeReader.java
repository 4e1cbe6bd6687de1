package io.vipd.config;

import io.vipd.config.keys.NodeKeys;
import io.vipd.config.keys.ValueTypes;
import java.nio.file.Path;
import java.util.function.Function;

/** Reads "This node" ({@link NodeKeys}): node.id, falling back to the hostname, cluster.name, data and control. */
final class NodeReader {
    record Node(String id, String clusterName, Path dataDir, Path controlSocket, String controlGroup) {
    }

    private NodeReader() {
    }

    /** @param hostname the hostname that {@code node.id} defaults to (null when it cannot be found) */
    static Node read(KeyReader keys, Function<String, String> hostname) throws ConfigException {
        String nodeId = keys.find(NodeKeys.NODE_ID).orElse(null);
        if (nodeId == null) {
            nodeId = hostname.apply("");
            if (nodeId == null || !ValueTypes.ID.matcher(nodeId).matches()) {
                throw keys.error(NodeKeys.NODE_ID.name(), "not set, and the hostname '" + nodeId
                        + "' is not usable as a node id; set node.id to letters, digits, '-' or '_'");
            }
        }
        return new Node(nodeId, keys.get(NodeKeys.CLUSTER_NAME), keys.get(NodeKeys.DATA_DIR),
                keys.get(NodeKeys.CONTROL_SOCKET), keys.get(NodeKeys.CONTROL_GROUP));
    }
}
