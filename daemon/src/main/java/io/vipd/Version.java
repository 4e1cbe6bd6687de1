package io.vipd;

/** The version the build stamped into the jar's manifest. */
public final class Version {
    private Version() {}

    public static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }
}
