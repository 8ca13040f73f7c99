package ai.aicrypto.plaza.search;

import java.math.BigDecimal;
import java.util.List;

import ai.aicrypto.plaza.catalog.Task;

/**
 * One result. {@code titleHtml} and {@code snippetHtml} are escaped text with the matches wrapped
 * in {@code <mark>}: safe to insert as HTML.
 *
 * @param id       the id within its kind (listing, offer or competition id)
 * @param url      where the hit links to
 * @param detail   a kind-specific line (a competition's metric and dates); null when there is none
 * @param license  null for kinds without one
 * @param priceAic a listing's price, an offer's price per GPU-hour; 0 for competitions (free to enter)
 * @param task     the task it serves; null when none
 * @param popularity   licenses in force (listings), teams (competitions), verified jobs (GPU offers)
 * @param averageStars the plain average of the listing's reviews; null without reviews
 */
public record SearchHit(long id, SearchKind kind, String url, String title, String titleHtml, String snippetHtml,
                        String detail, List<String> tags, String license, BigDecimal priceAic, String ownerName,
                        Task task, long popularity, Double averageStars, int reviews) {

    public boolean free() {
        return priceAic.signum() == 0;
    }
}
