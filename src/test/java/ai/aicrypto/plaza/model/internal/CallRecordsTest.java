package ai.aicrypto.plaza.model.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * Calls recorded at the same moment share statements, and each is stored exactly as handed over, or refused alone; a
 * call whose token is gone is recorded without it.
 */
class CallRecordsTest extends IntegrationTest {

    @Autowired
    CallRecords records;
    @Autowired
    TestUsers users;

    @Test
    void manyCallersAtOnceAreEachStoredAndABadRowFailsOnlyItsCaller() throws Exception {
        AccountPrincipal owner = users.member();
        long model = jdbc.sql("INSERT INTO listings (kind, owner_id, title, license, status) VALUES ('MODEL', ?, 'calls', 'MIT', "
                + "'PUBLISHED') RETURNING id").param(owner.id()).query(Long.class).single();
        ExecutorService callers = Executors.newFixedThreadPool(32);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                int instances = n == 77 ? 0 : n + 1; // a call of no instances breaks a CHECK: this row alone is refused
                calls.add(callers.submit((Callable<Void>) () -> {
                    records.store(new CallRecords.CallRow(model, owner.id(), "API", instances, n / 10.0, false, null, owner.id(),
                            BigDecimal.ZERO, BigDecimal.ZERO, null, null, null, n % 2 == 0 /* 100 of them; row 77 is odd */, n / 1000.0,
                            BigDecimal.valueOf(n)));
                    return null;
                }));
            }
            for (int i = 0; i < calls.size(); i++) {
                if (i == 77) {
                    assertThatThrownBy(calls.get(i)::get).hasCauseInstanceOf(DataIntegrityViolationException.class);
                } else {
                    calls.get(i).get();
                }
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(jdbc.sql("""
                        SELECT count(*) || ' ' || sum(instances) || ' ' || sum(serving_charged_wei) || ' '
                               || count(*) FILTER (WHERE cold_start) || ' ' || round(sum(latency_ms)::numeric, 1)
                        FROM model_calls WHERE model_id = ?""").param(model).query(String.class).single())
                .isEqualTo("199 " + (200 * 201 / 2 - 78) + " " + (199 * 200 / 2 - 77) + " 100 " + (1990 - 7.7));
    }

    /** A token deleted since its call was checked (another instance hears of it a few ms later): recorded without it. */
    @Test
    void aCallWhoseTokenWasDeletedMeanwhileIsRecordedWithoutIt() {
        AccountPrincipal owner = users.member();
        long model = jdbc.sql("INSERT INTO listings (kind, owner_id, title, license, status) VALUES ('MODEL', ?, 'calls', 'MIT', "
                + "'PUBLISHED') RETURNING id").param(owner.id()).query(Long.class).single();
        records.store(new CallRecords.CallRow(model, owner.id(), "API", 3, 1.5, false, Long.MAX_VALUE, owner.id(),
                BigDecimal.ZERO, BigDecimal.ZERO, null, null, null, false, 0.0, BigDecimal.ZERO));
        assertThat(jdbc.sql("SELECT count(*) || ' ' || sum(instances) FROM model_calls WHERE model_id = ? AND token_id IS NULL")
                .param(model).query(String.class).single()).isEqualTo("1 3");
    }
}
