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
 */
@ConfigurationProperties("plaza.search")
record SearchProperties(String esUrl, String alias, Duration esConnectTimeout, Duration esReadTimeout,
                        Duration esIndexTimeout, Duration esCooldown) {

    SearchProperties {
        alias = alias == null || alias.isBlank() ? "plaza-search" : alias;
        esConnectTimeout = within("es-connect-timeout", esConnectTimeout, Duration.ofSeconds(1), Duration.ofMinutes(1));
        esReadTimeout = within("es-read-timeout", esReadTimeout, Duration.ofSeconds(3), Duration.ofMinutes(1));
        esIndexTimeout = within("es-index-timeout", esIndexTimeout, Duration.ofSeconds(30), Duration.ofMinutes(10));
        esCooldown = within("es-cooldown", esCooldown, Duration.ofSeconds(30), Duration.ofHours(1));
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
                + ", esCooldown=" + esCooldown + "]";
    }
}
