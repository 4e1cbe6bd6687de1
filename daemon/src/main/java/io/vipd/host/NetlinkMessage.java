package io.vipd.host;

import static io.vipd.host.NetlinkConstants.NLMSG_DONE;
import static io.vipd.host.NetlinkConstants.NLMSG_ERROR;
import static io.vipd.host.NetlinkConstants.NLM_F_DUMP_INTR;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One message of what a netlink socket received, as {@link NetlinkParser} found it. {@code payload} starts after
 * the 16-byte header (at the family's fixed header, or an error's errno) and is a copy in host byte order.
 */
public record NetlinkMessage(int type, int flags, int seq, ByteBuffer payload) {
    /** NLMSG_ERROR: an acknowledgement ({@link #error} 0) or a refusal. */
    public boolean isError() {
        return type == NLMSG_ERROR;
    }

    /** NLMSG_DONE: the end of a dump. */
    public boolean isDone() {
        return type == NLMSG_DONE;
    }

    /** For NLMSG_ERROR: 0 is an acknowledgement, otherwise a negative errno. */
    public int error() {
        return payload.getInt(0);
    }

    /** A dump message the kernel marked NLM_F_DUMP_INTR: the list changed while it was read. */
    public boolean dumpInterrupted() {
        return (flags & NLM_F_DUMP_INTR) != 0;
    }

    /** The attributes after a fixed header of {@code fixedHeaderLength} bytes (see {@link NetlinkParser#attributes}). */
    public List<NetlinkAttribute> attributes(int fixedHeaderLength) {
        return NetlinkParser.attributes(payload, NetlinkConstants.align(fixedHeaderLength), payload.limit());
    }
}
