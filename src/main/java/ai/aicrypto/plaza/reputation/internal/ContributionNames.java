package ai.aicrypto.plaza.reputation.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.reputation.internal.EpochScoring.Contribution;
import ai.aicrypto.plaza.reputation.internal.Use.ContributionType;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What the Proof of Value pages call a contribution: its listing's, GPU offer's or competition's title. A listing no
 * longer published (taken down, private again) or anything deleted is called by its kind and number only, as scores
 * stay public where such a title is not.
 */
@Component
class ContributionNames {

    private static final Map<ContributionType, String> TITLES = Map.of(
            ContributionType.LISTING, "SELECT id, title FROM listings WHERE id = ANY(?) AND status = 'PUBLISHED'",
            ContributionType.GPU_OFFER, "SELECT id, title FROM gpu_offers WHERE id = ANY(?)",
            ContributionType.COMPETITION, "SELECT id, title FROM competitions WHERE id = ANY(?)");

    private final JdbcClient jdbc;
    private final MessageSource messages;

    ContributionNames(JdbcClient jdbc, MessageSource messages) {
        this.jdbc = jdbc;
        this.messages = messages;
    }

    String of(Contribution contribution) {
        return of(List.of(contribution)).get(contribution);
    }

    /** The name of each contribution, in the reader's language where it has no title to show. */
    Map<Contribution, String> of(Collection<Contribution> contributions) {
        Map<Contribution, String> names = new HashMap<>();
        for (ContributionType type : ContributionType.values()) {
            Long[] ids = contributions.stream().filter(c -> c.type() == type).map(Contribution::id).distinct().toArray(Long[]::new);
            if (ids.length > 0) {
                jdbc.sql(TITLES.get(type)).param(ids)
                        .query(rs -> {
                            names.put(new Contribution(type, rs.getLong(1)), rs.getString(2));
                        });
            }
        }
        for (Contribution c : contributions) {
            names.computeIfAbsent(c, k -> messages.getMessage("contribution.type." + k.type(), null, LocaleContextHolder.getLocale())
                    + " #" + k.id());
        }
        return names;
    }
}
