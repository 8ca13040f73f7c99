package ai.aicrypto.plaza.compute.internal;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import ai.aicrypto.plaza.compute.GpuOfferChanged;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.platform.Aic;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/** Offers and their workers; tokens are random 256-bit secrets of which only the SHA-256 is stored. */
@Service
class WorkerRegistry implements GpuOffers {

    static final Duration IDENTITY_TTL = Duration.ofSeconds(5);

    private final SecureRandom random = new SecureRandom();
    private final Cache<String, WorkerIdentity.Worker> identities = Caffeine.newBuilder()
            .expireAfterWrite(IDENTITY_TTL).maximumSize(10_000).build();
    private final JdbcClient jdbc;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final JsonMapper json;

    WorkerRegistry(JdbcClient jdbc, Clock clock, ApplicationEventPublisher events, JsonMapper json) {
        this.json = json;
        this.jdbc = jdbc;
        this.clock = clock;
        this.events = events;
    }

    @Override
    @Transactional
    public IssuedWorker register(long providerId, NewOffer offer) {
        if (offer.title() == null || offer.title().isBlank()) {
            throw new UserFacingException("title", "listing.error.title-required");
        }
        if (offer.title().strip().length() > 140) {
            throw new UserFacingException("title", "listing.error.title-too-long", 140);
        }
        if (offer.gpuModel() == null || offer.gpuModel().isBlank() || offer.gpuModel().strip().length() > 80) {
            throw new UserFacingException("gpuModel", "offer.error.gpu-model", 80);
        }
        if (offer.region() == null || offer.region().isBlank() || offer.region().strip().length() > 40) {
            throw new UserFacingException("region", "offer.error.region", 40);
        }
        if (offer.gpuMemoryMb() <= 0) {
            throw new UserFacingException("gpuMemoryMb", "compute.error.memory");
        }
        if (offer.pricePerHourAic() == null || offer.pricePerHourAic().signum() < 0) {
            throw new UserFacingException("pricePerHourAic", "listing.error.price-negative");
        }
        if (offer.pricePerHourAic().stripTrailingZeros().scale() > 18) {
            throw new UserFacingException("pricePerHourAic", "listing.error.price-precision", 18);
        }
        if (offer.pricePerHourAic().precision() - offer.pricePerHourAic().scale() > 20) {
            throw new UserFacingException("pricePerHourAic", "listing.error.price-too-high");
        }
        BigDecimal serving = offer.servingPricePerGpuSecondAic();
        checkServingPrice(serving);
        long offerId = jdbc.sql("""
                        INSERT INTO gpu_offers (provider_id, title, gpu_model, gpu_memory_mb, price_per_hour_aic, region,
                                                serving_price_per_gpu_second_aic)
                        VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""")
                .params(providerId, offer.title().strip(), offer.gpuModel().strip(), offer.gpuMemoryMb(),
                        offer.pricePerHourAic(), offer.region().strip(), serving)
                .query(Long.class).single();
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = "plz_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        long workerId = jdbc.sql("INSERT INTO workers (offer_id, token_sha256) VALUES (?, ?) RETURNING id")
                .params(offerId, sha256(token)).query(Long.class).single();
        events.publishEvent(new GpuOfferChanged(offerId));
        return new IssuedWorker(offerId, workerId, token);
    }

    @Override
    @Transactional
    public void changeServingPrice(long providerId, long offerId, BigDecimal servingPricePerGpuSecondAic) {
        checkServingPrice(servingPricePerGpuSecondAic);
        int changed = jdbc.sql("UPDATE gpu_offers SET serving_price_per_gpu_second_aic = ? WHERE id = ? AND provider_id = ?")
                .params(servingPricePerGpuSecondAic, offerId, providerId).update();
        if (changed == 0) {
            throw new NotFoundException();
        }
        events.publishEvent(new GpuOfferChanged(offerId));
    }

    private static void checkServingPrice(BigDecimal serving) {
        if (serving != null && (serving.signum() < 0 || serving.compareTo(Aic.MAX_AMOUNT) > 0
                || serving.stripTrailingZeros().scale() > 18)) {
            throw new UserFacingException("servingPricePerGpuSecondAic", "offer.error.serving-price");
        }
    }

    /**
     * The worker a token belongs to. Every worker request asks, so answers are kept for a few
     * seconds (a heartbeat of this instance refreshes its worker at once; another instance's
     * heartbeat shows within {@link #IDENTITY_TTL}).
     */
    Optional<WorkerIdentity.Worker> workerFor(String token) {
        String hash = sha256(token);
        WorkerIdentity.Worker known = identities.getIfPresent(hash);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<WorkerIdentity.Worker> found = lookUp(hash);
        found.ifPresent(worker -> identities.put(hash, worker));
        return found;
    }

    private Optional<WorkerIdentity.Worker> lookUp(String tokenHash) {
        return jdbc.sql("""
                        SELECT id, coalesce(gpu_memory_mb, 0) AS memory, cached_datasets,
                               ARRAY(SELECT jsonb_object_keys(%s)) AS families
                        FROM workers w WHERE token_sha256 = ?""".formatted(ModelFamilies.sql("w")))
                .param(tokenHash)
                .query((rs, n) -> new WorkerIdentity.Worker(rs.getLong("id"), rs.getInt("memory"),
                        (Long[]) rs.getArray("cached_datasets").getArray(), (String[]) rs.getArray("families").getArray()))
                .optional();
    }

    /**
     * What the worker says about itself: a benchmark it does not repeat keeps the last one reported;
     * its training throughput becomes the offer's measured score. The families it trains replace those reported
     * before (none reported: a worker from before the field, see {@link ModelFamilies}). The heartbeat history keeps
     * one row per minute (uptime).
     */
    @Transactional
    void heartbeat(long workerId, WorkerApiController.Heartbeat beat) {
        List<Long> cached = beat.cachedDatasets() == null ? List.of() : beat.cachedDatasets();
        Instant now = clock.instant();
        jdbc.sql("""
                        UPDATE workers SET engine = ?, gpu_memory_mb = ?, cached_datasets = CAST(? AS bigint[]),
                                           measured_score = coalesce(?, measured_score), benchmark = coalesce(?, benchmark),
                                           families = CAST(? AS jsonb), last_heartbeat = ?
                        WHERE id = ?""")
                .params(beat.engine(), beat.gpuMemoryMb(), cached.toArray(Long[]::new), beat.measuredScore(),
                        beat.benchmark(), beat.families() == null ? null : json.writeValueAsString(ModelFamilies.known(beat.families())),
                        Timestamp.from(now), workerId)
                .update();
        jdbc.sql("INSERT INTO worker_heartbeats (worker_id, minute) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .params(workerId, Timestamp.from(now.truncatedTo(ChronoUnit.MINUTES))).update();
        Double samplesPerSecond = beat.benchmarkScore();
        if (samplesPerSecond != null && samplesPerSecond > 0 && Double.isFinite(samplesPerSecond)) {
            // Only a changed score is news for search: heartbeats repeat the same one every few seconds.
            jdbc.sql("""
                            UPDATE gpu_offers SET measured_score = ?
                            WHERE id = (SELECT offer_id FROM workers WHERE id = ?) AND measured_score IS DISTINCT FROM ?
                            RETURNING id""")
                    .params(samplesPerSecond, workerId, samplesPerSecond).query(Long.class).optional()
                    .ifPresent(offerId -> events.publishEvent(new GpuOfferChanged(offerId)));
        }
        identities.asMap().values().removeIf(worker -> worker.id() == workerId);
    }

    /** Stores a switch of the worker's idle command, at the time the plaza heard of it. */
    void recordSwitch(long workerId, IdleSwitch state, String command) {
        jdbc.sql("INSERT INTO worker_switches (worker_id, state, command, switched_at) VALUES (?, ?, ?, ?)")
                .params(workerId, state.name(), command, Timestamp.from(clock.instant())).update();
    }

    enum IdleSwitch { SUSPENDED, RESUMED }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
