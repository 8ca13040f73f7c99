package ai.aicrypto.plaza.competition.internal;

import java.time.Instant;

import ai.aicrypto.plaza.competition.scoring.Metric;
import ai.aicrypto.plaza.competition.scoring.TestInputs;

/**
 * One phase of a competition (a competition hosted without phases has one): its dates, daily quota, hidden solution
 * with its own public/private split, its files, leaderboards and final selection. Submissions belong to the phase open
 * when they were made. The competition's metric and selection limit, and its early close, come with it as read.
 *
 * @param name      empty for the one phase of a competition hosted without phases
 * @param endsAt    the phase's end as announced; {@link #closesAt} is earlier if the host closed the competition early
 * @param closedAt  when the host closed the competition early, else null
 * @param testInputs what the phase's test inputs are (stored with them, {@code competition_phases.test_inputs})
 */
public record CompetitionPhase(long id, long competitionId, int seq, String name, Instant opensAt, Instant endsAt,
                               int submissionsPerDay, int publicPercent, long splitSeed, int testRows,
                               String solutionBlobKey, Instant finalizedAt, Metric metric, int finalSelections,
                               Instant closedAt, InputKind testInputs) {

    /** What a phase's test inputs are: none, a table (a CSV) or images (a ZIP of images named by their ids). */
    public enum InputKind {
        NONE, TABLE, IMAGES;

        static InputKind of(TestInputs inputs) {
            return inputs == null ? NONE : inputs.images() ? IMAGES : TABLE;
        }
    }

    /** Whether the phase's test inputs are images, which code submissions are run on as pictures. */
    public boolean testImages() {
        return testInputs == InputKind.IMAGES;
    }

    /** When taking part in this phase ends: its end, or the competition's early close if that came first. */
    public Instant closesAt() {
        return closedAt != null && closedAt.isBefore(endsAt) ? closedAt : endsAt;
    }

    /** Submissions are taken now. */
    public boolean open(Instant now) {
        return !now.isBefore(opensAt) && now.isBefore(closesAt());
    }

    public boolean started(Instant now) {
        return !now.isBefore(opensAt);
    }

    public boolean ended(Instant now) {
        return !now.isBefore(closesAt());
    }

    /** Private scores and the phase's final ranking may be shown only from now on. */
    public boolean finalized() {
        return finalizedAt != null;
    }

    @Override
    public String toString() {
        return "CompetitionPhase[" + competitionId + "#" + seq + "]";
    }
}
