package ai.aicrypto.plaza.earnings;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** How a provider's GPU offers were used, from what their workers reported (heartbeats) and leased (jobs). */
public interface OfferUtilisation {

    /** Per offer and day (UTC) since {@code since}: only days with a heartbeat of the offer's workers. */
    List<OfferDay> daysOf(long providerId, Instant since);

    /**
     * @param onlineMinutes worker-minutes with a heartbeat
     * @param leasedMinutes of those, the minutes a worker held a job's lease
     * @param uptimeMinutes minutes of the day with a heartbeat of any of the offer's workers (at most 1,440)
     */
    record OfferDay(long offerId, String title, LocalDate day, long onlineMinutes, long leasedMinutes, long uptimeMinutes) {
    }
}
