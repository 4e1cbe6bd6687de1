package io.vipd.config.keys;

import static io.vipd.config.keys.ConfigKey.plain;
import static io.vipd.config.keys.ValueTypes.groupName;
import static io.vipd.config.keys.ValueTypes.identifier;
import static io.vipd.config.keys.ValueTypes.path;

import io.vipd.config.ConfigLoader;
import io.vipd.config.PathRules;
import io.vipd.config.VipdConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * "This node": who it is, which cluster, where its data, control socket and metrics listener are. All take a
 * restart.
 */
public final class NodeKeys {
    /** No fixed default: the hostname, when it is usable as a node id. */
    public static final ConfigKey<String> NODE_ID = plain("node.id",
            identifier("is not a valid node id (letters, digits, '-' or '_', at most 63 characters)"))
            .restartOnly(VipdConfig::nodeId).build();
    public static final ConfigKey<String> CLUSTER_NAME = plain("cluster.name",
            identifier("is not a valid name (letters, digits, '-' or '_')"))
            .byDefault("vipd").restartOnly(VipdConfig::clusterName).build();
    public static final ConfigKey<Path> DATA_DIR = plain("data.dir",
            path("a directory of vipd's own", PathRules::dataDirProblem))
            .byDefault("/var/lib/vipd").restartOnly(VipdConfig::dataDir).build();
    public static final ConfigKey<Path> CONTROL_SOCKET = plain("control.socket",
            path("a Unix socket path", PathRules::controlSocketProblem))
            .byDefault(ConfigLoader.DEFAULT_CONTROL_SOCKET.toString()).restartOnly(VipdConfig::controlSocket).build();
    public static final ConfigKey<String> CONTROL_GROUP = plain("control.group", groupName())
            .byDefault(ConfigLoader.DEFAULT_CONTROL_GROUP).restartOnly(VipdConfig::controlGroup).build();

    /** No default: metrics are off unless an address is given. */
    public static final ConfigKey<AddressTypes.HostPort> METRICS_LISTEN = plain("metrics.listen",
            AddressTypes.listenAddress()).restartOnly(VipdConfig::metricsListen).build();

    public static final List<ConfigKey<?>> ALL = List.of(NODE_ID, CLUSTER_NAME, DATA_DIR, CONTROL_SOCKET,
            CONTROL_GROUP, METRICS_LISTEN);

    private NodeKeys() {
    }
}
