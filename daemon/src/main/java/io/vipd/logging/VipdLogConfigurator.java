package io.vipd.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.function.Function;

/**
 * vipd's logging, set up in code rather than from a logback.xml: Logback's XML configuration loads about 475 classes
 * (its Joran interpreter and the JDK's XML parser) and added about 0.15 s to every start of vipd and vipctl (0.3-0.8 s
 * while three daemons started on the 2-core test bed). Lines go to standard output, one event per line (journald adds
 * its own timestamp and host).
 *
 * <ul>
 *   <li>{@code VIPD_LOG_LEVEL} (environment or system property; default INFO): the level of vipd's own lines.</li>
 *   <li>{@code VIPD_RATIS_LOG_LEVEL} (default WARN): Apache Ratis's. Ratis logs its internal errors as long stack
 *       traces; vipd explains what matters to an operator in its own line, so a Ratis event stays one line: its
 *       message, then the exception's root cause as "class: message".</li>
 *   <li>{@code VIPD_LOG_FORMAT=json}: one JSON object per line instead (Logback's {@code JsonEncoder}), for log
 *       shippers: {@code timestamp}, {@code level}, {@code loggerName}, {@code formattedMessage}, and in
 *       {@code kvpList} the fields of vipd's ownership lines ({@code vip}, {@code node}, {@code from},
 *       {@code epoch}, {@code reason}).</li>
 *   <li>{@code -Dlogback.configurationFile=FILE}: an operator's own Logback file instead of all of this.</li>
 * </ul>
 * Found by Logback through META-INF/services.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class VipdLogConfigurator extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n";
    /** One line per event: the root cause first ({@code %rEx}), its first line kept, everything after it cut. */
    static final String RATIS_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg"
            + "%replace( %rEx{0}){'[\\r\\n]+\\s*(at |\\.\\.\\. )?[^\\r\\n]*', ''}%nopex%n";

    private final Function<String, String> settings;

    public VipdLogConfigurator() {
        this(name -> {
            String v = System.getProperty(name);
            return v != null ? v : System.getenv(name);
        });
    }

    /** @param settings where VIPD_LOG_LEVEL and VIPD_RATIS_LOG_LEVEL are looked up */
    VipdLogConfigurator(Function<String, String> settings) {
        this.settings = settings;
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY; // the operator's file: Logback's own configurator reads it
        }
        boolean json = "json".equalsIgnoreCase(String.valueOf(settings.apply("VIPD_LOG_FORMAT")).trim());
        ConsoleAppender<ILoggingEvent> stdout = json ? console(context, "STDOUT", json(context))
                : console(context, "STDOUT", pattern(context, PATTERN));
        ConsoleAppender<ILoggingEvent> ratisOut = json ? console(context, "RATIS", json(context))
                : console(context, "RATIS", pattern(context, RATIS_PATTERN));

        Logger ratis = context.getLogger("org.apache.ratis");
        ratis.setLevel(level("VIPD_RATIS_LOG_LEVEL", Level.WARN));
        ratis.setAdditive(false);
        ratis.addAppender(ratisOut);
        context.getLogger("org.apache.ratis.thirdparty").setLevel(Level.ERROR);
        context.getLogger("io.netty").setLevel(Level.WARN);

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level("VIPD_LOG_LEVEL", Level.INFO));
        root.addAppender(stdout);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private Level level(String setting, Level fallback) {
        String v = settings.apply(setting);
        return v == null || v.isBlank() ? fallback : Level.toLevel(v.trim(), fallback);
    }

    private static PatternLayoutEncoder pattern(LoggerContext context, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    /** The stable subset: no sequence numbers, context, MDC or unformatted message and arguments. */
    private static ch.qos.logback.classic.encoder.JsonEncoder json(LoggerContext context) {
        ch.qos.logback.classic.encoder.JsonEncoder encoder = new ch.qos.logback.classic.encoder.JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMDC(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        return encoder;
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, String name,
                                                          ch.qos.logback.core.encoder.Encoder<ILoggingEvent> encoder) {
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(name);
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }
}
