package io.vipd.daemon;

import io.vipd.config.ConfigException;
import io.vipd.config.ConfigLoader;
import io.vipd.config.VipdConfig;
import io.vipd.security.PeerTls;
import io.vipd.security.TlsMaterial;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start: loads this node's TLS material for Raft traffic (or accepts an explicit {@code insecure = true},
 * loudly), says in the journal what protects Raft traffic, and from then on warns daily when the certificate or the
 * CA is about to expire.
 */
final class TlsStartup {
    private static final Logger LOG = LoggerFactory.getLogger("io.vipd.daemon.VipdMain");

    private TlsStartup() {}

    /** @return the running TLS, or null when the configuration is insecure */
    static PeerTls start(ConfigLoader loader, VipdConfig c, Clock clock) throws ConfigException {
        TlsMaterial material = loader.checkTls(c, TlsMaterial.loader(clock));
        if (material == null) {
            LOG.warn("INSECURE: insecure = true in {}: Raft traffic is neither encrypted nor authenticated; any host "
                    + "that reaches port {} can take the VIPs away. Set tls.ca, tls.cert and tls.key (see 'vipctl "
                    + "cert') and remove insecure", c.source(), c.self().port());
            return null;
        }
        PeerTls tls = new PeerTls(material, PeerTls.members(c), clock, System::nanoTime);
        LOG.info("Raft traffic: {}", tls.describe());
        ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vipd-tls-expiry");
            t.setDaemon(true);
            return t;
        });
        expiry.scheduleAtFixedRate(() -> tls.expiryWarning().ifPresent(w -> LOG.warn("{}", w)), 0, 1,
                TimeUnit.DAYS);
        return tls;
    }
}
