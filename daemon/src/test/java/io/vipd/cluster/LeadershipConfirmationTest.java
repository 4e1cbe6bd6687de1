package io.vipd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A leadership confirmed by a majority of the voters, of both sides while the membership changes. */
class LeadershipConfirmationTest {
    static boolean confirmed(Set<String> saysYes, List<Set<String>> quorums) {
        LeadershipConfirmation c = new LeadershipConfirmation("n1",
                (follower, check) -> CompletableFuture.completedFuture(saysYes.contains(follower)));
        return c.confirm(7, quorums).join();
    }

    @Test
    void aMajorityOfTheVotersConfirms() {
        assertTrue(confirmed(Set.of("n2"), List.of(Set.of("n1", "n2", "n3"))));
        assertFalse(confirmed(Set.of(), List.of(Set.of("n1", "n2", "n3"))));
        assertTrue(confirmed(Set.of(), List.of(Set.of("n1"))), "a group of one confirms itself");
    }

    @Test
    void duringAChangeBothSidesNeedAMajority() {
        List<Set<String>> joint = List.of(Set.of("n1", "n4", "n5"), Set.of("n1", "n2", "n3"));
        assertFalse(confirmed(Set.of("n2", "n3"), joint), "the old voters alone do not confirm");
        assertFalse(confirmed(Set.of("n4", "n5"), joint), "the new voters alone do not confirm");
        assertTrue(confirmed(Set.of("n2", "n4"), joint));
    }

    @Test
    void everyMemberOfEitherSideIsAskedOnce() {
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        LeadershipConfirmation c = new LeadershipConfirmation("n1", (follower, check) -> {
            asked.add(follower + "@" + check.term());
            return CompletableFuture.completedFuture(false);
        });
        c.confirm(3, List.of(Set.of("n1", "n2", "n4"), Set.of("n1", "n2", "n3"))).join();
        assertEquals(List.of("n2@3", "n3@3", "n4@3"), asked.stream().sorted().toList());
    }
}
