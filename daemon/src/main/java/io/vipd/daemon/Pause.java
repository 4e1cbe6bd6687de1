package io.vipd.daemon;

/**
 * How a role waits between attempts. The daemon passes {@code Thread::sleep}; tests pass one that advances their
 * manual clock, so a wait bounded by the injected clock is driven by that clock alone.
 */
@FunctionalInterface
interface Pause {
    void sleep(long millis) throws InterruptedException;
}
