package io.vipd.config;

import java.util.List;

/**
 * Commands run when this node's part in a VIP changes, like keepalived's notify scripts. Each gets four arguments
 * appended: VIP name, address/prefix, new state (owner, backup or fault) and epoch. Empty lists mean no hook.
 *
 * @param acquire run when this node starts answering for a VIP
 * @param release run when it stops
 * @param fault   run when a VIP's checks start failing on this node
 * @param any      run on every one of the above
 * @param conflict run when this node hears a MAC answer for a VIP that is not the owner's, with that MAC as a fifth
 *                 argument (not part of {@code any}: its scripts expect the four arguments)
 */
public record NotifyHooks(List<String> acquire, List<String> release, List<String> fault, List<String> any,
                          List<String> conflict, long timeoutMs) {
    public static final NotifyHooks NONE = new NotifyHooks(List.of(), List.of(), List.of(), List.of(), List.of(),
            10_000);

    public NotifyHooks {
        acquire = List.copyOf(acquire);
        release = List.copyOf(release);
        fault = List.copyOf(fault);
        any = List.copyOf(any);
        conflict = List.copyOf(conflict);
    }

    /** Hooks without a conflict hook. */
    public NotifyHooks(List<String> acquire, List<String> release, List<String> fault, List<String> any,
                       long timeoutMs) {
        this(acquire, release, fault, any, List.of(), timeoutMs);
    }

    public boolean isEmpty() {
        return acquire.isEmpty() && release.isEmpty() && fault.isEmpty() && any.isEmpty() && conflict.isEmpty();
    }
}
