package ai.aicrypto.plaza.platform;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import javax.sql.DataSource;

import java.util.stream.Collectors;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.MessageSource;
import org.springframework.http.MediaType;
import org.springframework.http.server.PathContainer;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.LocaleResolver;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import tools.jackson.databind.json.JsonMapper;

/**
 * The plaza's rate limits, all in one place: sign-in, registration, Sign-In with Ethereum, uploads, the members' API,
 * the workers' API, posting in discussions and submitting models to commissions, each per client address and, where the request names one, per account (see
 * {@link RateLimitProperties}). The buckets are Bucket4j's, kept in PostgreSQL ({@code rate_limit_buckets}) so that
 * every instance counts the same requests. A request over a limit is answered {@code 429} with {@code Retry-After}
 * (seconds) and a message in the visitor's language: the error page for a browser, {@code {"error": ...}} for a
 * script, and for an upload a short text written without reading the body (nothing is spooled).
 * <p>
 * {@link #filter()} runs inside each security filter chain, after the session or bearer token is resolved (so the
 * account is known) and before form sign-in, so that a refused sign-in costs no password hash.
 */
@Component
public class RateLimits {

    private static final Logger log = LoggerFactory.getLogger(RateLimits.class);

    /** Request attribute {@link UserMessageErrorAttributes} shows on the error page. */
    static final String USER_MESSAGE = RateLimits.class.getName() + ".userMessage";
    /** Longer names (a sign-in may name anything) are keyed by their hash, so a row stays small. */
    private static final int MAX_PLAIN_KEY = 64;

    private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;
    private final List<Route> routes;
    private final MessageSource messages;
    private final LocaleResolver locales;
    private final JsonMapper json;
    private final Map<String, Counter> refused;
    private final Filter filter = new LimitFilter();
    /** Buckets in use: an optimized bucket keeps its local count in its proxy, so the proxy is kept while in use. */
    private final Cache<String, Bucket> proxies = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofMinutes(10)).build();

    RateLimits(DataSource dataSource, RateLimitProperties limits, MessageSource messages, LocaleResolver locales, JsonMapper json,
               MeterRegistry meters) {
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("rate_limit_buckets").idColumn("id").stateColumn("state").expiresAtColumn("expires_at")
                // A bucket that is full again holds nothing worth keeping: its row expires and is swept.
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                .build();
        this.messages = messages;
        this.locales = locales;
        this.json = json;
        this.routes = List.of(
                new Route("sign-in", limits.signIn(), "POST", patterns("/login"),
                        // The username tried, whoever tries it: guessing one account's password from many addresses.
                        request -> Optional.ofNullable(request.getParameter("username"))
                                .map(name -> name.strip().toLowerCase(Locale.ROOT))),
                new Route("register", limits.register(), "POST", patterns("/register"), RateLimits::account),
                new Route("siwe", limits.siwe(), null, patterns("/siwe/nonce", "/siwe/verify"), RateLimits::account),
                new Route("upload", limits.upload(), "POST", UploadLimitFilter.UPLOAD_ROUTES, RateLimits::account),
                new Route("member-api", limits.memberApi(), null, patterns("/api/v1/**"), RateLimits::account),
                new Route("worker-api", limits.workerApi(), null, patterns("/api/worker/**"), RateLimits::account,
                        // A serving worker's poll carries answers to calls the plaza sent it: as many as callers make,
                        // already counted against theirs (and over one kept-alive connection per poller).
                        patterns("/api/worker/v1/serving/poll")),
                // New threads and replies; edits, deletions and pins are the author's or a moderator's own.
                new Route("discussion", limits.discussion(), "POST",
                        patterns("/competitions/*/discussion", "/competitions/*/discussion/*/replies"), RateLimits::account),
                // A commission's model runs on the hidden test set off the request: each submission costs a run.
                new Route("commission-model", limits.commissionModel(), "POST", patterns("/requests/*/models"),
                        RateLimits::account));
        this.refused = routes.stream().collect(Collectors.toUnmodifiableMap(Route::name,
                route -> Counter.builder("plaza.rate.refused").tag("rule", route.name())
                        .description("Requests answered 429 by a rate limit").register(meters)));
    }

    /** The filter to add to a security filter chain, before its form sign-in (see the class comment). */
    public Filter filter() {
        return filter;
    }

    /**
     * Rows of buckets that have refilled. Lease: one interval; a sweep that outlives it beside another instance's
     * is harmless, rows are taken with SKIP LOCKED.
     */
    @Scheduled(fixedDelayString = "${plaza.rate.sweep-interval:5m}")
    @SchedulerLock(name = "rate-limit-sweep", lockAtMostFor = "${plaza.rate.sweep-interval:5m}")
    void sweep() {
        int removed;
        do {
            removed = buckets.removeExpired(1_000);
        } while (removed == 1_000);
    }

    private final class LimitFilter extends OncePerRequestFilter {

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            PathContainer path = PathContainer.parsePath(request.getRequestURI().substring(request.getContextPath().length()));
            for (Route route : routes) {
                if (route.matches(request, path)) {
                    Optional<Refusal> refusal = check(route, request);
                    if (refusal.isPresent()) {
                        refuse(request, response, route, refusal.get());
                        return;
                    }
                }
            }
            chain.doFilter(request, response);
        }
    }

    /** The signed-in member, or the worker, by its authentication's name. */
    private static Optional<String> account(HttpServletRequest request) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication == null || authentication instanceof AnonymousAuthenticationToken || !authentication.isAuthenticated()
                ? Optional.empty() : Optional.of(authentication.getName());
    }

    /** One address: an IPv4 address, or the /64 network of an IPv6 one (what one subscriber is given). */
    static String client(HttpServletRequest request) {
        String remote = request.getRemoteAddr();
        try {
            byte[] bytes = InetAddress.getByName(remote).getAddress(); // a literal: no lookup
            return bytes.length == 16 ? HexFormat.of().formatHex(Arrays.copyOf(bytes, 8)) + "::/64" : remote;
        } catch (UnknownHostException e) {
            return remote;
        }
    }

    private static List<PathPattern> patterns(String... patterns) {
        return Arrays.stream(patterns).map(PathPatternParser.defaultInstance::parse).toList();
    }

    private record Refusal(long retryAfterSeconds) {
    }

    /** Requests of one rule, by method (null: any) and path, with whose account they count against. */
    private record Route(String name, RateLimitProperties.Rule rule, String method, List<PathPattern> patterns,
                         Function<HttpServletRequest, Optional<String>> account, List<PathPattern> exempt) {

        Route(String name, RateLimitProperties.Rule rule, String method, List<PathPattern> patterns,
              Function<HttpServletRequest, Optional<String>> account) {
            this(name, rule, method, patterns, account, List.of());
        }

        boolean matches(HttpServletRequest request, PathContainer path) {
            return (method == null || method.equals(request.getMethod())) && patterns.stream().anyMatch(p -> p.matches(path))
                    && exempt.stream().noneMatch(p -> p.matches(path));
        }
    }

    /** The address's bucket first: a request refused there takes nothing from the account's. */
    private Optional<Refusal> check(Route route, HttpServletRequest request) {
        Optional<Refusal> byAddress = route.rule().perAddress() == null ? Optional.empty()
                : take(route, route.rule().perAddress(), "address", client(request));
        if (byAddress.isPresent() || route.rule().perAccount() == null) {
            return byAddress;
        }
        return route.account().apply(request).flatMap(who -> take(route, route.rule().perAccount(), "account", who));
    }

    private Optional<Refusal> take(Route route, RateLimitProperties.Limit limit, String kind, String who) {
        ConsumptionProbe probe = proxies.get(route.name() + "|" + limit + "|" + kind + "|" + shortened(who), key -> bucket(key, limit))
                .tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return Optional.empty();
        }
        long nanos = probe.getNanosToWaitForRefill();
        return Optional.of(new Refusal(Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L)));
    }

    /**
     * A bucket of a high limit (the APIs') counts locally and writes to PostgreSQL once it has taken 1% of the limit or
     * a second has passed: every call of the members' API would otherwise wait for a locked row's read and write. Each
     * instance may so let through up to 1% more than the limit between two writes. A low limit (sign-in, registration)
     * goes to the database on every request, so it holds exactly across instances.
     */
    private Bucket bucket(String key, RateLimitProperties.Limit limit) {
        var builder = buckets.builder();
        long unsynchronized = limit.count() / 100;
        if (unsynchronized >= 2) {
            builder = builder.withOptimization(Optimizations.delaying(new DelayParameters(unsynchronized, Duration.ofSeconds(1))));
        }
        return builder.build(key, () -> configuration(limit));
    }

    private static BucketConfiguration configuration(RateLimitProperties.Limit limit) {
        return BucketConfiguration.builder()
                .addLimit(bandwidth -> bandwidth.capacity(limit.count()).refillGreedy(limit.count(), limit.period()))
                .build();
    }

    private static String shortened(String value) {
        if (value.length() <= MAX_PLAIN_KEY) {
            return value;
        }
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    /**
     * An upload is answered unread (its parts would be spooled by any dispatch that reads a parameter); a browser
     * page gets the error page, through the container's error dispatch; anything else a JSON body.
     */
    private void refuse(HttpServletRequest request, HttpServletResponse response, Route route, Refusal refusal) throws IOException {
        String message = messages.getMessage("rate.too-many." + route.name(), new Object[] {refusal.retryAfterSeconds()},
                locales.resolveLocale(request));
        refused.get(route.name()).increment();
        log.debug("Rate limit {}: refused {} {} from {} (retry after {} s)", route.name(), request.getMethod(),
                request.getRequestURI(), request.getRemoteAddr(), refusal.retryAfterSeconds());
        response.setHeader("Retry-After", String.valueOf(refusal.retryAfterSeconds()));
        if (MultipartRequests.isMultipart(request)) {
            MultipartRequests.refuse(response, 429, message);
        } else if (wantsPage(request)) {
            request.setAttribute(USER_MESSAGE, message);
            response.sendError(429);
        } else {
            response.setStatus(429);
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            json.writeValue(response.getOutputStream(), Map.of("error", message));
        }
    }

    /** A browser's navigation or an HTMX request (which swaps in HTML); scripts and wallet.js get JSON. */
    private static boolean wantsPage(HttpServletRequest request) {
        String accept = request.getHeader("Accept");
        return request.getHeader("HX-Request") != null || (accept != null && accept.contains(MediaType.TEXT_HTML_VALUE));
    }
}
