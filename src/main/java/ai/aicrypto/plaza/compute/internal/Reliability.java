package ai.aicrypto.plaza.compute.internal;

/**
 * How far the plaza trusts a GPU offer's workers: the share of their results (all the offer's workers together) that
 * passed verification. Once at least {@value #MIN_JUDGED} results were judged, a share under {@value #MIN_SHARE}
 * means its workers get no job that did not name the offer, and the builder's "cheapest" and "fastest" pass over it.
 * A requester may still pick it by name, seeing its record.
 * <p>
 * Training on someone else's paid dataset asks more: the offer must be <em>vetted</em>, with at least
 * {@value #MIN_JUDGED} judged results and the same share verified. A brand-new offer (self-priced,
 * self-benchmarked) never receives a dataset its requester paid for; it builds its record on free data.
 */
public final class Reliability {

    static final int MIN_JUDGED = 3;
    static final double MIN_SHARE = 0.8;

    private Reliability() {
    }

    public static boolean trusted(int verifiedJobs, int rejectedJobs) {
        int judged = verifiedJobs + rejectedJobs;
        return judged < MIN_JUDGED || verifiedJobs >= MIN_SHARE * judged;
    }

    public static boolean vetted(int verifiedJobs, int rejectedJobs) {
        int judged = verifiedJobs + rejectedJobs;
        return judged >= MIN_JUDGED && verifiedJobs >= MIN_SHARE * judged;
    }

    /** {@link #vetted} in SQL, over a row with {@code verified_jobs} and {@code rejected_jobs}. */
    static String vettedSql(String alias) {
        return "(%1$s.verified_jobs + %1$s.rejected_jobs >= %2$d AND %1$s.verified_jobs >= %3$s * (%1$s.verified_jobs + %1$s.rejected_jobs))"
                .formatted(alias, MIN_JUDGED, MIN_SHARE);
    }

    /** The same rule in SQL, over a row with {@code verified_jobs} and {@code rejected_jobs}. */
    static String trustedSql(String alias) {
        return "(%1$s.verified_jobs + %1$s.rejected_jobs < %2$d OR %1$s.verified_jobs >= %3$s * (%1$s.verified_jobs + %1$s.rejected_jobs))"
                .formatted(alias, MIN_JUDGED, MIN_SHARE);
    }
}
