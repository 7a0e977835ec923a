// Test-only Neo4j Community server: embedded DatabaseManagementService + Bolt.
//
// Usage (single-file source program, JDK 17+):
//   java -Xmx1g -cp '<cache>/lib/*' tests/neo4j/Launcher.java DBDIR PORT [PASSWORD]
//
//   DBDIR     Neo4j home for this run (data/, logs/ are created inside it).
//   PORT      Bolt port, bound on 127.0.0.1 only.
//   PASSWORD  Password set for user 'neo4j' (auth enabled). Default: linkgraph-test.
//             An empty string disables auth.
//
// Prints exactly one line "READY bolt://127.0.0.1:PORT" on stdout when the server
// accepts Bolt connections and the APOC / GDS procedures are registered, or
// "FAILED [BIND] <reason>" and exits 1 if it could not start ("BIND" when the port
// was taken, so the caller can retry on another port).
//
// tests/neo4j_server.py runs the same file compiled once into a jar in the cache
// (faster start, and class-data sharing needs classes from jars); the source-file
// form above is its fallback and the way to run it by hand.
//
// Auth is on: the password is set through the system database
// (ALTER USER neo4j ... CHANGE NOT REQUIRED) before READY. APOC and GDS are
// unrestricted (dbms.security.procedures.unrestricted=apoc.*,gds.*); the allowlist is
// left at its default "*" so Neo4j's built-in procedures stay callable.
// Memory: page cache 256 MiB (-Dlinkgraph.pagecacheMb=N to change); heap from -Xmx.
//
// Stops cleanly on SIGTERM/SIGINT, and also when its standard input reaches EOF
// (the Python side keeps a pipe open, so a killed pytest does not leave a JVM
// behind). Pass -Dlinkgraph.ignoreStdin=true to run it by hand with stdin closed.
//
// Procedures: Neo4j only loads procedures from jars in its plugins directory. Here
// APOC and GDS are on the classpath instead (fetched by Maven with
// -Dmdep.prependGroupId=true, so their jar names start with "org.neo4j.procedure."
// and "org.neo4j.gds."). Those jars are scanned for classes that carry
// @Procedure / @UserFunction / @UserAggregationFunction and registered through
// GlobalProcedures, which is what neo4j-harness does with withProcedure().

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.api.procedure.GlobalProcedures;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

public class Launcher {
    static final String DEFAULT_PASSWORD = "linkgraph-test";
    static final String[] PROC_JAR_PREFIXES = {"org.neo4j.procedure.", "org.neo4j.gds."};
    static final byte[][] PROC_ANNOTATIONS = {
        "Lorg/neo4j/procedure/Procedure;".getBytes(StandardCharsets.US_ASCII),
        "Lorg/neo4j/procedure/UserFunction;".getBytes(StandardCharsets.US_ASCII),
        "Lorg/neo4j/procedure/UserAggregationFunction;".getBytes(StandardCharsets.US_ASCII),
    };

    static volatile DatabaseManagementService dbms;
    static final Object shutdownLock = new Object();
    static final CountDownLatch stopped = new CountDownLatch(1);

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java -cp 'lib/*' Launcher.java DBDIR PORT [PASSWORD]");
            System.exit(2);
        }
        // READY/FAILED go to the real stdout; everything else is sent to stderr so
        // that stdout stays a clean protocol channel.
        PrintStream protocol = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err);

        Path home = Paths.get(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String password = args.length >= 3 ? args[2] : DEFAULT_PASSWORD;
        boolean auth = !password.isEmpty();
        long t0 = System.nanoTime();

        Runtime.getRuntime().addShutdownHook(new Thread(Launcher::shutdown, "linkgraph-shutdown"));
        if (!Boolean.getBoolean("linkgraph.ignoreStdin")) {
            Thread watcher = new Thread(Launcher::watchStdin, "linkgraph-stdin-watch");
            watcher.setDaemon(true);
            watcher.start();
        }

        try {
            Files.createDirectories(home);
            FutureTask<List<Candidate>> scan = new FutureTask<>(Launcher::scanProcedureClasses);
            Thread scanner = new Thread(scan, "linkgraph-procedure-scan");
            scanner.setDaemon(true);
            scanner.start();
            DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                .setUserLogProvider(new Log4jLogProvider(System.err, Level.INFO))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("apoc.*", "gds.*"))
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(
                    Long.getLong("linkgraph.pagecacheMb", 256)))
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.preallocate_store_files, false)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseSettings.strict_config_validation, false)
                // Bolt defaults wait ~10s for netty's graceful shutdown; a test server need not.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1));
            synchronized (shutdownLock) {
                dbms = builder.build();
            }
            long tBuilt = System.nanoTime();

            GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
            if (auth) {
                system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
            }

            GraphDatabaseAPI db = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            if (!db.isAvailable(Duration.ofSeconds(60).toMillis())) {
                throw new IllegalStateException("default database did not become available within 60s");
            }
            GlobalProcedures procs = db.getDependencyResolver().resolveDependency(GlobalProcedures.class);
            int[] counts = registerProcedures(procs, scan.get());
            long tDone = System.nanoTime();
            System.err.printf("linkgraph launcher: registered %d procedure / %d function / %d aggregation classes "
                + "(%d failed); dbms %.1fs, procedures %.1fs, total %.1fs since main()%n",
                counts[0], counts[1], counts[2], counts[3],
                (tBuilt - t0) / 1e9, (tDone - tBuilt) / 1e9, (tDone - t0) / 1e9);

            protocol.println("READY bolt://127.0.0.1:" + port);
        } catch (Throwable e) {
            e.printStackTrace();
            String kind = isBindFailure(e) ? "FAILED BIND " : "FAILED ";
            protocol.println(kind + oneLine(e));
            shutdown();
            Runtime.getRuntime().halt(1);
        }
        stopped.await();  // until a shutdown hook / stdin EOF
    }

    static void watchStdin() {
        try {
            InputStream in = System.in;
            byte[] buf = new byte[256];
            while (in.read(buf) >= 0) {
                // ignore input; only EOF matters
            }
        } catch (IOException ignored) {
            // treat as EOF
        }
        System.err.println("linkgraph launcher: stdin closed, shutting down");
        System.exit(0);  // runs the shutdown hook
    }

    static void shutdown() {
        synchronized (shutdownLock) {
            DatabaseManagementService s = dbms;
            dbms = null;
            if (s != null) {
                Thread killer = new Thread(() -> {
                    try {
                        Thread.sleep(60_000);
                        System.err.println("linkgraph launcher: shutdown took over 60s, halting");
                        Runtime.getRuntime().halt(3);
                    } catch (InterruptedException ignored) {
                    }
                }, "linkgraph-shutdown-watchdog");
                killer.setDaemon(true);
                killer.start();
                long t = System.nanoTime();
                try {
                    s.shutdown();
                    System.err.printf("linkgraph launcher: shut down cleanly in %.1fs%n", (System.nanoTime() - t) / 1e9);
                } catch (Throwable e) {
                    e.printStackTrace();
                }
                killer.interrupt();
            }
            stopped.countDown();
        }
    }

    /** A class holding procedures / functions / aggregation functions, already loaded. */
    record Candidate(String className, String jar, Class<?> cls, Throwable loadError, boolean[] kinds) {
    }

    /**
     * Finds the procedure classes in the APOC / GDS jars and loads them (without running their
     * static initialisers). Runs on a background thread while the DBMS starts: on 2 cores this
     * overlaps most of the class loading with the database start.
     */
    static List<Candidate> scanProcedureClasses() throws IOException {
        List<Candidate> out = new ArrayList<>();
        ClassLoader loader = Launcher.class.getClassLoader();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path jar = Paths.get(entry);
            String name = jar.getFileName() == null ? "" : jar.getFileName().toString();
            boolean wanted = false;
            for (String p : PROC_JAR_PREFIXES) {
                wanted |= name.startsWith(p);
            }
            if (!wanted || !name.endsWith(".jar") || !Files.isRegularFile(jar)) {
                continue;
            }
            try (JarFile jf = new JarFile(jar.toFile())) {
                Enumeration<JarEntry> en = jf.entries();
                while (en.hasMoreElements()) {
                    JarEntry je = en.nextElement();
                    String n = je.getName();
                    if (!n.endsWith(".class") || n.startsWith("META-INF/") || n.endsWith("module-info.class")) {
                        continue;
                    }
                    byte[] bytes;
                    try (InputStream in = jf.getInputStream(je)) {
                        bytes = in.readAllBytes();
                    }
                    boolean[] kinds = new boolean[3];
                    boolean any = false;
                    for (int i = 0; i < 3; i++) {
                        kinds[i] = indexOf(bytes, PROC_ANNOTATIONS[i]) >= 0;
                        any |= kinds[i];
                    }
                    if (!any) {
                        continue;
                    }
                    String cls = n.substring(0, n.length() - ".class".length()).replace('/', '.');
                    Class<?> c = null;
                    Throwable err = null;
                    try {
                        c = Class.forName(cls, false, loader);
                        c.getDeclaredMethods();  // resolves signatures: most of the loading cost
                        c.getDeclaredFields();
                    } catch (Throwable e) {
                        err = e;
                    }
                    out.add(new Candidate(cls, name, c, err, kinds));
                }
            }
        }
        return out;
    }

    /** Returns {procedureClasses, functionClasses, aggregationClasses, failures}. */
    static int[] registerProcedures(GlobalProcedures procs, List<Candidate> candidates) {
        int[] counts = new int[4];
        for (Candidate cand : candidates) {
            try {
                if (cand.loadError() != null) {
                    throw cand.loadError();
                }
                if (cand.kinds()[0]) {
                    procs.registerProcedure(cand.cls());
                    counts[0]++;
                }
                if (cand.kinds()[1]) {
                    procs.registerFunction(cand.cls());
                    counts[1]++;
                }
                if (cand.kinds()[2]) {
                    procs.registerAggregationFunction(cand.cls());
                    counts[2]++;
                }
            } catch (Throwable e) {
                // e.g. apoc.load.LoadArrow: Arrow is an optional APOC dependency, not fetched
                counts[3]++;
                System.err.println("linkgraph launcher: could not register " + cand.className() + " from "
                    + cand.jar() + ": " + oneLine(e));
            }
        }
        return counts;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String cn = t.getClass().getName();
            String msg = String.valueOf(t.getMessage());
            if (t instanceof BindException || cn.endsWith("PortBindException")
                || msg.contains("Address already in use")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String s = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (root != e) {
            s += " (root cause " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        return s.replaceAll("\\s+", " ").trim();
    }
}
