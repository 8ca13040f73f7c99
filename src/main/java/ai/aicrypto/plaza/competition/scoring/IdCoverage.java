package ai.aicrypto.plaza.competition.scoring;

import java.util.ArrayList;
import java.util.List;

/**
 * Compares the ids of another file, row by row, with a solution's: which solution ids the file names, which of its
 * ids the solution does not have, and which it names twice. Memory is one int per solution row, however large the
 * other file is; the ids it has beyond the solution are counted, and the first {@link Problems#EXAMPLES} kept.
 */
final class IdCoverage {

    private final IdIndex ids;
    private final int[] seenOnLine; // 0: not seen yet
    private final List<String> extraExamples = new ArrayList<>();
    private long extra;

    IdCoverage(Solution solution) {
        this.ids = solution.ids();
        this.seenOnLine = new int[ids.size()];
    }

    /**
     * Records {@code id} from line {@code line}; returns its solution row, -1 for an id the solution does not have,
     * or -2 for a solution id seen before (then {@code problems} holds the duplicate).
     */
    int see(long line, String id, Problems problems, String duplicateKey) {
        int row = ids.row(id);
        if (row < 0) {
            extra++;
            if (extraExamples.size() < Problems.EXAMPLES) {
                extraExamples.add(id);
            }
            return -1;
        }
        if (seenOnLine[row] != 0) {
            problems.add(duplicateKey, line, id, (long) seenOnLine[row]);
            return -2;
        }
        seenOnLine[row] = (int) Math.min(line, Integer.MAX_VALUE);
        return row;
    }

    /** Adds the summaries: {@code extraKey} with the count and first ids not in the solution, {@code missingKey} likewise. */
    void summarize(Problems problems, String extraKey, String missingKey) {
        if (extra > 0) {
            problems.addFirst(extraKey, extra, Problems.examples(extraExamples, Problems.EXAMPLES));
        }
        List<String> missing = new ArrayList<>(Problems.EXAMPLES);
        long missingCount = 0;
        for (int row = 0; row < seenOnLine.length; row++) {
            if (seenOnLine[row] == 0) {
                if (missing.size() < Problems.EXAMPLES) {
                    missing.add(ids.id(row));
                }
                missingCount++;
            }
        }
        if (missingCount > 0) {
            problems.addFirst(missingKey, missingCount, Problems.examples(missing, Problems.EXAMPLES));
        }
    }
}
