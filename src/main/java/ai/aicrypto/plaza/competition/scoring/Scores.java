package ai.aicrypto.plaza.competition.scoring;

/**
 * The scores of one submission. Only the public score (on the public rows) is shown by the accessors and by
 * {@link #toString()}; the private score and the overall score (all rows, from which the private one could be worked
 * out) come only from {@link #revealPrivate()}, which the app calls after the competition ends. There are no
 * JavaBean getters, so serializers that look for them find nothing private either.
 */
public final class Scores {

    /** The scores that must stay hidden until the competition ends. */
    public record Hidden(double privateScore, double overallScore, int privateRows) {
    }

    /** What may be shown while the competition runs. */
    public record Public(Metric metric, double score, int rows) {
    }

    private final Metric metric;
    private final double publicScore;
    private final int publicRows;
    private final Hidden hidden;

    Scores(Metric metric, double publicScore, int publicRows, double privateScore, int privateRows,
            double overallScore) {
        this.metric = metric;
        this.publicScore = publicScore;
        this.publicRows = publicRows;
        this.hidden = new Hidden(privateScore, overallScore, privateRows);
    }

    public Metric metric() {
        return metric;
    }

    /** The score on the public rows, the one the leaderboard shows during the competition. */
    public double publicScore() {
        return publicScore;
    }

    public int publicRows() {
        return publicRows;
    }

    /** The part that may be shown or serialized while the competition runs. */
    public Public publicPart() {
        return new Public(metric, publicScore, publicRows);
    }

    /** The private and overall scores. Call only once the competition has ended. */
    public Hidden revealPrivate() {
        return hidden;
    }

    @Override
    public String toString() {
        return "Scores[" + metric + " public=" + publicScore + " on " + publicRows + " rows, private=hidden]";
    }
}
