package ai.aicrypto.plaza.search.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param esUrl            Elasticsearch's URL (PLAZA_SEARCH_ES_URL); empty selects PostgreSQL search alone
 * @param alias            the alias searches and writes go through; each rebuild makes a new index behind it
 * @param esConnectTimeout how long a connection to Elasticsearch may take (and waiting for a pooled one)
 * @param esReadTimeout    how long a search or suggestion waits for Elasticsearch's answer before PostgreSQL answers
 * @param esIndexTimeout   how long an index write (a change, a bulk batch of a rebuild) waits for its answer
 * @param esCooldown       after Elasticsearch failed, how long searches go straight to PostgreSQL (a successful
 *                         index write ends it sooner)
 * @param pgExactCountsUpTo  PostgreSQL search counts matches exactly up to this many; past it, it estimates the
 *                           counts from a sample (every search then reads a bounded number of rows)
 * @param pgRankedCandidates with more matches than that, PostgreSQL ranks about this many of the newest by relevance
 */
@ConfigurationProperties("plaza.search")
record SearchProperties(String esUrl, String alias, Duration esConnectTimeout, Duration esReadTimeout,
                        Duration esIndexTimeout, Duration esCooldown, Integer pgExactCountsUpTo,
                        Integer pgRankedCandidates) {

    SearchProperties {
        alias = alias == null || alias.isBlank() ? "plaza-search" : alias;
        esConnectTimeout = within("es-connect-timeout", esConnectTimeout, Duration.ofSeconds(1), Duration.ofMinutes(1));
        esReadTimeout = within("es-read-timeout", esReadTimeout, Duration.ofSeconds(3), Duration.ofMinutes(1));
        esIndexTimeout = within("es-index-timeout", esIndexTimeout, Duration.ofSeconds(30), Duration.ofMinutes(10));
        esCooldown = within("es-cooldown", esCooldown, Duration.ofSeconds(30), Duration.ofHours(1));
        pgExactCountsUpTo = within("pg-exact-counts-up-to", pgExactCountsUpTo, 1_000, 1_000_000);
        pgRankedCandidates = within("pg-ranked-candidates", pgRankedCandidates, 500, 1_000_000);
    }

    /** Unset: the default; else 10 to {@code max}. */
    private static int within(String name, Integer value, int fallback, int max) {
        if (value == null) {
            return fallback;
        }
        if (value < 10 || value > max) {
            throw new IllegalArgumentException("plaza.search." + name + " must be 10 to " + max + "; got " + value);
        }
        return value;
    }

    /** Unset: the default; else 10 ms to {@code max}. */
    private static Duration within(String name, Duration value, Duration fallback, Duration max) {
        if (value == null) {
            return fallback;
        }
        if (value.compareTo(Duration.ofMillis(10)) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException("plaza.search." + name + " must be 10ms to " + max + "; got " + value);
        }
        return value;
    }

    boolean elasticsearchEnabled() {
        return esUrl != null && !esUrl.isBlank();
    }

    /** Not the URL, which may carry credentials. */
    @Override
    public String toString() {
        return "SearchProperties[elasticsearch=" + elasticsearchEnabled() + ", alias=" + alias + ", esConnectTimeout="
                + esConnectTimeout + ", esReadTimeout=" + esReadTimeout + ", esIndexTimeout=" + esIndexTimeout
                + ", esCooldown=" + esCooldown + ", pgExactCountsUpTo=" + pgExactCountsUpTo + ", pgRankedCandidates="
                + pgRankedCandidates + "]";
    }
}
