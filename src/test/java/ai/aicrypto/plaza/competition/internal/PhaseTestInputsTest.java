package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import ai.aicrypto.plaza.account.AccountPrincipal;
import org.junit.jupiter.api.Test;

/**
 * What a phase's test inputs are is stored with the phase ({@code competition_phases.test_inputs}, V69), not read
 * from the stored file's name; phases hosted before V69 take it from that name.
 */
class PhaseTestInputsTest extends CompetitionTestSupport {

    private static final String BACKFILL_FROM = "UPDATE competition_phases";

    @Test
    void aPhaseKnowsWhetherItHasTestInputsAndWhatTheyAre() {
        AccountPrincipal host = users.member();
        Competition without = host(host, 10, 3);
        Competition table = hostWith(host, form(3), solutionCsv(10), testInputs(10));

        assertThat(phase(without).testInputs()).isEqualTo(CompetitionPhase.InputKind.NONE);
        assertThat(phase(table).testInputs()).isEqualTo(CompetitionPhase.InputKind.TABLE);
        assertThat(phase(table).testImages()).isFalse();
    }

    @Test
    void theMigrationTakesTheKindOfEarlierPhasesFromTheirFileNames() throws IOException {
        AccountPrincipal host = users.member();
        Competition without = host(host, 10, 3);
        Competition table = hostWith(host, form(3), solutionCsv(10), testInputs(10));
        Competition images = hostWith(host, form(3), solutionCsv(10), testInputs(10));
        // As V62 left them: the file's name is all there is.
        jdbc.sql("UPDATE competition_files SET file_name = ? WHERE phase_id = ? AND kind = 'TEST_INPUTS'")
                .params(images.slug() + "-test-images.zip", phase(images).id()).update();
        for (Competition c : new Competition[] {without, table, images}) {
            jdbc.sql("UPDATE competition_phases SET test_inputs = 'NONE' WHERE id = ?").param(phase(c).id()).update();
        }

        jdbc.sql(backfill()).update();

        assertThat(phase(without).testInputs()).isEqualTo(CompetitionPhase.InputKind.NONE);
        assertThat(phase(table).testInputs()).isEqualTo(CompetitionPhase.InputKind.TABLE);
        assertThat(phase(images).testInputs()).isEqualTo(CompetitionPhase.InputKind.IMAGES);
    }

    /** The backfill statement of V69, as the migration runs it. */
    private static String backfill() throws IOException {
        try (InputStream in = PhaseTestInputsTest.class.getResourceAsStream(
                "/db/migration/V69__competition_phase_test_inputs.sql")) {
            String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String from = sql.substring(sql.indexOf(BACKFILL_FROM));
            return from.substring(0, from.indexOf(';'));
        }
    }

    private static String testInputs(int n) {
        StringBuilder csv = new StringBuilder("id,x\n");
        for (int i = 0; i < n; i++) {
            csv.append('t').append(i).append(',').append(i % 7).append('\n');
        }
        return csv.toString();
    }
}
