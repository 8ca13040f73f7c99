package ai.aicrypto.plaza.demo;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.account.Role;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.chain.ChainProperties;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.platform.DatabaseProperties;
import ai.aicrypto.plaza.platform.PlazaProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Seeds three accounts (alice, bob, admin; password {@value #PASSWORD}), Fashion-MNIST from
 * Debian's dataset-fashion-mnist package, a generated tabular dataset and two model cards, the
 * first time the app starts on an empty database with {@code plaza.demo-data=true}. Their password
 * is published, so the app refuses to start with demo data anywhere but on its embedded database
 * and a local chain (anvil, chain id {@value #LOCAL_CHAIN_ID}).
 */
@Component
@ConditionalOnProperty(name = "plaza.demo-data", havingValue = "true")
class DemoData implements ApplicationRunner {

    static final String PASSWORD = "plaza-demo-pass";
    static final long LOCAL_CHAIN_ID = 31337;
    private static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    private static final Logger log = LoggerFactory.getLogger(DemoData.class);

    private final Accounts accounts;
    private final Datasets datasets;
    private final Models models;
    private final JdbcClient jdbc;
    private final Path workDir;

    /** Wallets of a local chain to link to alice and bob (ops/run passes two anvil dev accounts). */
    private final List<String> wallets;

    private final GpuOffers offers;

    /** Where ops/run finds the token of the demo worker it starts on this machine; blank: no demo offer. */
    private final String workerTokenFile;

    DemoData(Accounts accounts, Datasets datasets, Models models, GpuOffers offers, JdbcClient jdbc, PlazaProperties plaza,
             DatabaseProperties database, ChainProperties chain, @Value("${plaza.demo-wallets:}") List<String> wallets,
             @Value("${plaza.demo-worker-token-file:}") String workerTokenFile) {
        refuseUnlessLocal(database, chain);
        this.wallets = wallets;
        this.offers = offers;
        this.workerTokenFile = workerTokenFile;
        this.accounts = accounts;
        this.datasets = datasets;
        this.models = models;
        this.jdbc = jdbc;
        this.workDir = plaza.dataDir().resolve("work");
    }

    static void refuseUnlessLocal(DatabaseProperties database, ChainProperties chain) {
        if (database.external() || chain.chainId() != LOCAL_CHAIN_ID) {
            throw new IllegalStateException("PLAZA_DEMO_DATA (plaza.demo-data) seeds accounts with the published password '"
                    + PASSWORD + "', admin among them: it is allowed only on the embedded database and a local anvil chain (id "
                    + LOCAL_CHAIN_ID + "), not with " + (database.external() ? "an external database (PLAZA_DB_URL)"
                    : "chain id " + chain.chainId()) + ". Unset PLAZA_DEMO_DATA.");
        }
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        if (jdbc.sql("SELECT count(*) FROM users").query(Long.class).single() > 0) {
            return;
        }
        long alice = accounts.register(new Accounts.NewAccount("alice", "alice@example.org", "Alice Kim", PASSWORD),
                EnumSet.of(Role.MEMBER));
        long bob = accounts.register(new Accounts.NewAccount("bob", "bob@example.org", "Bob Lee", PASSWORD),
                EnumSet.of(Role.MEMBER));
        accounts.register(new Accounts.NewAccount("admin", "admin@example.org", "Plaza Admin", PASSWORD),
                EnumSet.of(Role.MEMBER, Role.ADMIN));
        // Linked before the listings exist, so that their asset tokens are minted to these wallets.
        if (wallets.size() >= 2) {
            accounts.linkWalletTrusted(alice, wallets.get(0));
            accounts.linkWalletTrusted(bob, wallets.get(1));
        }

        if (Files.isDirectory(FASHION_MNIST)) {
            datasets.importDataset(alice, new DatasetUpload(new ListingDraft("Fashion-MNIST (test split)", """
                    Zalando's article images: 10,000 grayscale 28×28 pictures of clothing in 10 classes \
                    (T-shirt/top, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot).

                    A drop-in replacement for MNIST when benchmarking image classifiers. \
                    Source: Debian's `dataset-fashion-mnist` package (MIT license).""",
                    List.of("vision", "fashion", "classification"), "MIT", BigDecimal.ZERO),
                    FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz"), "t10k-images-idx3-ubyte.gz",
                    FASHION_MNIST.resolve("t10k-labels-idx1-ubyte.gz"), "t10k-labels-idx1-ubyte.gz", null,
                    List.of("t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
                            "ankle boot")));
        } else {
            log.warn("{} is missing (Debian package dataset-fashion-mnist): demo data without Fashion-MNIST", FASHION_MNIST);
        }
        Path sensors = generateSensorCsv();
        try {
            datasets.importDataset(bob, new DatasetUpload(new ListingDraft("Machine sensor readings (synthetic)", """
                    **Generated** data: 2,000 readings of temperature, vibration, pressure and motor current \
                    from a simulated production line, each labelled `ok`, `wear` or `fault`.

                    Made for demos and tests of tabular classifiers; no real machine was measured.""",
                    List.of("tabular", "iot", "synthetic"), "CC0-1.0", new BigDecimal("12.5")),
                    sensors, "machine-sensors.csv", null, null, "condition"));
        } finally {
            Files.deleteIfExists(sensors);
        }
        for (String card : List.of("fashion-mnist-mlp.json", "tabular-softmax-regression.json")) {
            String json = new ClassPathResource("model-card/examples/" + card).getContentAsString(StandardCharsets.UTF_8);
            models.publish(card.startsWith("fashion") ? alice : bob, new ModelUpload(json, List.of("demo"), null));
        }
        if (!workerTokenFile.isBlank()) {
            offerThisMachine(bob, Path.of(workerTokenFile));
        }
        log.info("Demo data seeded: users alice, bob and admin with password '{}'", PASSWORD);
    }

    /**
     * Bob offers this machine's processor, so that the builder trains and a trained model answers on a fresh
     * ops/run: ops/run starts the worker with the token written here, readable by this user only.
     */
    private void offerThisMachine(long provider, Path tokenFile) throws IOException {
        GpuOffers.IssuedWorker worker = offers.register(provider, new GpuOffers.NewOffer("This machine's CPU (demo worker)",
                "CPU (no GPU)", 4096, new BigDecimal("0.5"), "local", BigDecimal.ZERO)); // serves "try it" for free
        Files.createDirectories(tokenFile.toAbsolutePath().getParent());
        Files.deleteIfExists(tokenFile);
        Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tokenFile, worker.token() + "\n", StandardCharsets.UTF_8);
    }

    /** Deterministic synthetic data: the condition follows from the readings, with noise. */
    private Path generateSensorCsv() throws IOException {
        Path file = Files.createTempFile(Files.createDirectories(workDir), "demo-sensors-", ".csv");
        var random = new SplittableRandom(42);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("temperature_c,vibration_mm_s,pressure_bar,current_a,line,condition\n");
            for (int i = 0; i < 2000; i++) {
                double wear = random.nextDouble();
                double temperature = 55 + 25 * wear + random.nextGaussian() * 3;
                double vibration = 1.5 + 6 * wear * wear + random.nextGaussian() * 0.5;
                double pressure = 6 - wear + random.nextGaussian() * 0.2;
                double current = 12 + 4 * wear + random.nextGaussian();
                String condition = wear > 0.85 ? "fault" : wear > 0.55 ? "wear" : "ok";
                String line = "L" + (1 + random.nextInt(3));
                String temperatureText = random.nextInt(100) == 0 ? "" : String.format(Locale.ROOT, "%.1f", temperature);
                out.write(String.format(Locale.ROOT, "%s,%.2f,%.2f,%.1f,%s,%s%n",
                        temperatureText, vibration, pressure, current, line, condition));
            }
        }
        return file;
    }
}
