package ai.aicrypto.plaza.ui;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Every third wine: its measurements as test inputs (ids w1, w4, ...) and its cultivar as the hidden solution. */
record WineSplit(Path testInputs, Path solution) {

    /** Splits {@code wine} (a CSV with a {@code cultivar} column) into the two files given. */
    static WineSplit everyThirdWine(String wine, Path testInputs, Path solution) throws IOException {
        List<String> lines = wine.lines().toList();
        List<String> header = List.of(lines.get(0).split(","));
        int label = header.indexOf("cultivar");
        StringBuilder inputs = new StringBuilder("id");
        for (int c = 0; c < header.size(); c++) {
            if (c != label) {
                inputs.append(',').append(header.get(c));
            }
        }
        inputs.append('\n');
        StringBuilder truth = new StringBuilder("id,cultivar\n");
        for (int row = 1; row < lines.size(); row += 3) {
            String[] values = lines.get(row).split(",");
            inputs.append('w').append(row);
            for (int c = 0; c < values.length; c++) {
                if (c != label) {
                    inputs.append(',').append(values[c]);
                }
            }
            inputs.append('\n');
            truth.append('w').append(row).append(',').append(values[label]).append('\n');
        }
        Files.writeString(testInputs, inputs, StandardCharsets.UTF_8);
        Files.writeString(solution, truth, StandardCharsets.UTF_8);
        return new WineSplit(testInputs, solution);
    }
}
