package io.vipd.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class FollowerChecksTest {
    record Sent(String follower, LeaderCheck check, CompletableFuture<Boolean> answer) {}

    final List<Sent> sent = new ArrayList<>();
    final FollowerChecks checks = new FollowerChecks((follower, check) -> {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        sent.add(new Sent(follower, check, f));
        return f;
    });
    final LeaderCheck term4 = new LeaderCheck(4, "n1");

    @Test
    void aRoundThatAsksWhileACheckRunsWaitsForTheNextCheckWhichStartsWhenTheRunningOneEnds() {
        CompletableFuture<Boolean> first = checks.ask("n2", term4);
        CompletableFuture<Boolean> second = checks.ask("n2", term4);
        CompletableFuture<Boolean> third = checks.ask("n2", term4);
        assertEquals(1, sent.size(), "one check of n2 at a time");
        assertSame(second, third, "rounds asking meanwhile share the one waiting check");
        assertFalse(second.isDone(), "the running check began before these rounds asked: it cannot answer them");
        sent.get(0).answer().complete(true);
        assertTrue(first.join());
        assertEquals(2, sent.size(), "the waiting check starts as the running one ends");
        assertFalse(second.isDone());
        sent.get(1).answer().complete(true);
        assertTrue(second.join());
        checks.ask("n2", term4);
        assertEquals(3, sent.size(), "nothing running: a new check starts at once");
    }

    @Test
    void aFollowerThatNeverAnswersHasOneCheckRunningAndOneWaitingHoweverManyRoundsAsk() {
        checks.ask("n3", term4);
        CompletableFuture<Boolean> waiting = checks.ask("n3", term4);
        for (int i = 0; i < 1000; i++) {
            assertSame(waiting, checks.ask("n3", term4));
        }
        assertEquals(1, sent.size());
        CompletableFuture<Boolean> other = checks.ask("n2", term4);
        assertEquals(2, sent.size(), "n2 is checked whatever n3 does");
        sent.get(1).answer().complete(true);
        assertTrue(other.join());
    }

    @Test
    void aFailedOrTimedOutCheckIsANoAndAWaitingCheckOfAnOlderTermIsANo() {
        CompletableFuture<Boolean> first = checks.ask("n2", term4);
        CompletableFuture<Boolean> old = checks.ask("n2", term4);
        CompletableFuture<Boolean> newer = checks.ask("n2", new LeaderCheck(5, "n1"));
        assertNotSame(old, newer);
        assertFalse(old.join(), "a round of term 4 waiting when term 5 asks: over");
        sent.get(0).answer().completeExceptionally(new java.io.IOException("timed out"));
        assertFalse(first.join());
        assertEquals(new LeaderCheck(5, "n1"), sent.get(1).check(), "the waiting check is the newest round's");
        sent.get(1).answer().complete(false);
        assertFalse(newer.join());
    }

    @Test
    void aSenderThatThrowsIsANoAndLeavesTheFollowerFreeToBeCheckedAgain() {
        FollowerChecks throwing = new FollowerChecks((f, c) -> {
            throw new IllegalStateException("closed");
        });
        assertFalse(throwing.ask("n2", term4).join());
        assertFalse(throwing.ask("n2", term4).join(), "not stuck as running");
    }
}
