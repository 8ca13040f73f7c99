package ai.aicrypto.plaza.competition.scoring;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The sample submission participants start from: the header {@code id,prediction} and one row for every test id,
 * each with the same valid placeholder, so that it passes {@link SubmissionValidator} and tells nothing about the
 * answers. The ids come in the order of the test inputs, or sorted when there are none: the solution's own order is
 * the host's and may follow the labels.
 */
public final class SampleSubmission {

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setRecordSeparator("\n").get();

    private SampleSubmission() {
    }

    /** The prediction every row gets: the first class (sorted), 0.5 for a probability, 0 for a number. */
    public static String placeholder(Solution solution) {
        return switch (solution.metric().predictionKind()) {
            case LABEL -> solution.classes().get(0);
            case PROBABILITY -> "0.5";
            case NUMBER -> "0";
        };
    }

    /** Writes the sample as UTF-8 CSV to {@code out} (left open). */
    public static void write(Solution solution, TestInputs inputs, OutputStream out) throws IOException {
        IdIndex ids = solution.ids();
        String[] inOrder = new String[ids.size()];
        if (inputs != null) {
            int[] order = inputs.rowOrder();
            for (int i = 0; i < order.length; i++) {
                inOrder[i] = ids.id(order[i]);
            }
        } else {
            for (int row = 0; row < inOrder.length; row++) {
                inOrder[row] = ids.id(row);
            }
            Arrays.sort(inOrder);
        }
        String prediction = placeholder(solution);
        Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        CSVPrinter csv = new CSVPrinter(writer, FORMAT);
        csv.printRecord(SubmissionValidator.ID, SubmissionValidator.PREDICTION);
        for (String id : inOrder) {
            csv.printRecord(id, prediction);
        }
        csv.flush();
    }
}
