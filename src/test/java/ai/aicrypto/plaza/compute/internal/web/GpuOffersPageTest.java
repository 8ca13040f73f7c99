package ai.aicrypto.plaza.compute.internal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import ai.aicrypto.plaza.account.AccountPrincipal;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class GpuOffersPageTest extends ComputeWebTest {

    @Autowired
    OfferDirectory directory;

    @Test
    void uptimeIsTheShareOfMinutesWithAHeartbeatInTheLastThirtyDays() throws Exception {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MINUTES);
        AccountPrincipal provider = users.member();
        Worker worker = onlineWorker(provider, "1", null);
        jdbc.sql("UPDATE gpu_offers SET created_at = ? WHERE id = ?")
                .params(Timestamp.from(now.minus(Duration.ofDays(60))), worker.offerId()).update();
        jdbc.sql("DELETE FROM worker_heartbeats WHERE worker_id = (SELECT id FROM workers WHERE offer_id = ?)")
                .param(worker.offerId()).update();

        clock.set(now.minus(Duration.ofDays(40)));
        heartbeat(worker, null); // outside the window: does not count
        clock.set(now.minus(Duration.ofDays(1)));
        for (int minute = 0; minute < 3; minute++) {
            heartbeat(worker, null);
            heartbeat(worker, null); // twice in a minute counts once
            clock.advance(Duration.ofMinutes(1));
        }
        clock.set(now.plusSeconds(30));
        OfferDirectory.Offer offer = directory.find(worker.offerId()).orElseThrow();
        assertThat(offer.online()).as("last heartbeat a day ago").isFalse();
        assertThat(offer.uptime()).isEqualTo(3.0 / (30 * 24 * 60 + 1));

        heartbeat(worker, null);
        offer = directory.find(worker.offerId()).orElseThrow();
        assertThat(offer.online()).isTrue();
        assertThat(offer.uptime()).isEqualTo(4.0 / (30 * 24 * 60 + 1));
        clock.advance(Duration.ofSeconds(91));
        assertThat(directory.find(worker.offerId()).orElseThrow().online()).as("no heartbeat for 91 s").isFalse();
    }

    @Test
    void aNewOfferIsMeasuredSinceItWasMade() throws Exception {
        Worker worker = onlineWorker(users.member(), "1", null);
        Instant made = clock.instant().truncatedTo(ChronoUnit.MINUTES);
        jdbc.sql("UPDATE gpu_offers SET created_at = ? WHERE id = ?").params(Timestamp.from(made), worker.offerId()).update();
        clock.set(made.plus(Duration.ofMinutes(3)).plusSeconds(10));
        heartbeat(worker, null);
        // Minutes 0 and 3 of 0..3 had a heartbeat.
        assertThat(directory.find(worker.offerId()).orElseThrow().uptime()).isEqualTo(0.5);
    }

    @Test
    void thePublicPageSortsByPriceOrMeasuredScore() throws Exception {
        AccountPrincipal provider = users.member();
        Worker cheapSlow = onlineWorker(provider, "0.2", 800.0);
        Worker dearFast = onlineWorker(provider, "3", 9_000.0);
        Worker unmeasured = onlineWorker(provider, "0.1", null);
        clock.advance(Duration.ofMinutes(5));
        heartbeat(dearFast, null);

        String byPrice = page("/gpus");
        assertThat(byPrice).contains(row(unmeasured), row(cheapSlow), row(dearFast));
        assertThat(byPrice.indexOf(row(unmeasured))).isLessThan(byPrice.indexOf(row(cheapSlow)));
        assertThat(byPrice.indexOf(row(cheapSlow))).isLessThan(byPrice.indexOf(row(dearFast)));
        String byScore = page("/gpus?sort=score");
        assertThat(byScore.indexOf(row(dearFast))).isLessThan(byScore.indexOf(row(cheapSlow)));
        assertThat(byScore.indexOf(row(cheapSlow))).isLessThan(byScore.indexOf(row(unmeasured)));

        String row = byScore.substring(byScore.indexOf(row(dearFast)));
        row = row.substring(0, row.indexOf("</tr>"));
        assertThat(row).contains("9,000 samples/s").contains("3 AIC").contains("kr-seoul").contains("Online")
                .contains("Trains: CNN (convolutional network), text classifier (fastText-style), gradient-boosted trees, "
                        + "MLP (dense network), softmax regression");
        String slow = byScore.substring(byScore.indexOf(row(cheapSlow)));
        assertThat(slow.substring(0, slow.indexOf("</tr>"))).contains("Offline");
        assertThat(page("/gpus?sort=score", "ko")).contains("측정 점수").contains("온라인").contains("학습 가능: CNN(합성곱 신경망)");
    }

    private static String row(Worker worker) {
        return "id=\"offer-" + worker.offerId() + "\"";
    }

    private String page(String path) throws Exception {
        return page(path, "en");
    }

    private String page(String path, String language) throws Exception {
        return mvc.perform(get(path).header("Accept-Language", language)).andReturn().getResponse().getContentAsString();
    }
}
