package ai.aicrypto.plaza.platform;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationStyle;

/**
 * How many requests each client may make, per rule (see {@link RateLimits}); each rule limits a client address and,
 * where the request names one, an account (a member, a worker, the username a sign-in tries). A limit is written
 * {@code COUNT/PERIOD}, e.g. {@code 30/1m}: a bucket of COUNT requests that refills evenly over PERIOD.
 */
@ConfigurationProperties("plaza.rate")
public record RateLimitProperties(Rule signIn, Rule register, Rule siwe, Rule upload, Rule memberApi, Rule workerApi,
                                  Rule discussion, Rule commissionModel) {

    public RateLimitProperties {
        signIn = orNone(signIn);
        register = orNone(register);
        siwe = orNone(siwe);
        upload = orNone(upload);
        memberApi = orNone(memberApi);
        workerApi = orNone(workerApi);
        discussion = orNone(discussion);
        commissionModel = orNone(commissionModel);
    }

    private static Rule orNone(Rule rule) {
        return rule == null ? new Rule(null, null) : rule;
    }

    /** Either limit may be absent (null): no limit of that kind. */
    public record Rule(Limit perAddress, Limit perAccount) {
    }

    /** {@code count} requests, refilled evenly over {@code period}. */
    public record Limit(long count, Duration period) {

        static final long MAX_COUNT = 1_000_000_000L;
        static final Duration MAX_PERIOD = Duration.ofDays(7);

        public Limit {
            if (count < 1 || count > MAX_COUNT || period == null || period.compareTo(Duration.ofSeconds(1)) < 0
                    || period.compareTo(MAX_PERIOD) > 0) {
                throw new IllegalArgumentException("A rate limit is 1 to " + MAX_COUNT + " requests per 1s to 7d; got "
                        + count + "/" + period);
            }
        }

        /** Binds {@code 30/1m} (or {@code 30/PT1M}); the binder finds this method by its name. */
        public static Limit valueOf(String text) {
            int slash = text.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("A rate limit is written COUNT/PERIOD, such as 30/1m; got \"" + text + "\"");
            }
            try {
                return new Limit(Long.parseLong(text.substring(0, slash).strip()),
                        DurationStyle.detectAndParse(text.substring(slash + 1).strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("A rate limit is written COUNT/PERIOD, such as 30/1m; got \"" + text + "\"", e);
            }
        }

        /** Stable text of the limit, part of each bucket's key: a changed limit starts new buckets. */
        @Override
        public String toString() {
            return count + "/" + period.toSeconds() + "s";
        }
    }
}
