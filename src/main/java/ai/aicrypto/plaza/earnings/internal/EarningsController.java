package ai.aicrypto.plaza.earnings.internal;

import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.earnings.Earning;
import ai.aicrypto.plaza.earnings.OfferUtilisation;
import ai.aicrypto.plaza.earnings.internal.EarningsLedger.Line;
import ai.aicrypto.plaza.platform.Aic;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import tools.jackson.databind.json.JsonMapper;

/**
 * The signed-in member's earnings dashboard and its CSV export. Both show only the member's own ledger: the routes take
 * no member id, and sign-in is required for them (every route not opened in the security rules is).
 */
@Controller
class EarningsController {

    /** Ledger lines listed on the page, newest first (the CSV has them all). */
    static final int PAGE_LINES = 100;
    static final String[] CSV_HEADER = {"accrued_at", "source", "listing_id", "item", "gross_aic", "fee_aic", "net_aic", "status",
            "tx_hash", "block", "paid_at"};

    private final EarningsLedger ledger;
    private final List<OfferUtilisation> utilisation;
    private final EarningsProperties properties;
    private final MessageSource messages;
    private final JsonMapper json;
    private final Clock clock;

    EarningsController(EarningsLedger ledger, List<OfferUtilisation> utilisation, EarningsProperties properties,
                       MessageSource messages, JsonMapper json, Clock clock) {
        this.ledger = ledger;
        this.utilisation = utilisation;
        this.properties = properties;
        this.messages = messages;
        this.json = json;
        this.clock = clock;
    }

    @GetMapping("/earnings")
    String page(@AuthenticationPrincipal AccountPrincipal me, Model model, HttpServletResponse response) {
        List<Line> lines;
        try {
            lines = ledger.of(me.id());
        } catch (ChainUnavailableException e) {
            // A pending fee is read from the chain: without it the net amounts would be wrong, so show none.
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            return "earnings/chain-down";
        }
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        String paid = text("earnings.paid"), pending = text("earnings.pending");
        model.addAttribute("totals", EarningsReport.totals(lines));
        model.addAttribute("bySource", EarningsReport.bySource(lines));
        model.addAttribute("byListing", EarningsReport.byListing(lines));
        model.addAttribute("lines", lines.stream().limit(PAGE_LINES).map(this::row).toList());
        model.addAttribute("lineCount", lines.size());
        model.addAttribute("pageLines", PAGE_LINES);
        for (EarningsReport.Period period : EarningsReport.Period.values()) {
            model.addAttribute(period.name().toLowerCase() + "Series",
                    json.writeValueAsString(EarningsReport.revenue(lines, period, today, paid, pending)));
        }
        Instant since = today.minusDays(EarningsReport.DAYS - 1L).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<OfferUtilisation.OfferDay> offerDays = utilisation.stream().flatMap(u -> u.daysOf(me.id(), since).stream()).toList();
        List<OfferUtilisation.OfferDay> newestFirst = new java.util.ArrayList<>(offerDays);
        java.util.Collections.reverse(newestFirst);
        model.addAttribute("offerDays", newestFirst);
        model.addAttribute("utilisationSeries", json.writeValueAsString(EarningsReport.offerSeries(offerDays, today, true)));
        model.addAttribute("uptimeSeries", json.writeValueAsString(EarningsReport.offerSeries(offerDays, today, false)));
        model.addAttribute("days", EarningsReport.DAYS);
        return "earnings/dashboard";
    }

    /** Every ledger line as CSV (a header, then one row each, amounts as decimal AIC), written as it goes. */
    @GetMapping("/earnings.csv")
    ResponseEntity<StreamingResponseBody> csv(@AuthenticationPrincipal AccountPrincipal me) {
        List<Line> lines;
        try {
            lines = ledger.of(me.id());
        } catch (ChainUnavailableException e) {
            return ResponseEntity.status(HttpServletResponse.SC_SERVICE_UNAVAILABLE).contentType(MediaType.TEXT_PLAIN)
                    .body(out -> out.write(text("earnings.chain-down").getBytes(StandardCharsets.UTF_8)));
        }
        StreamingResponseBody body = out -> {
            Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            try (CSVPrinter csv = CSVFormat.DEFAULT.builder().setHeader(CSV_HEADER).get().print(writer)) {
                for (Line l : lines) {
                    Earning e = l.earning();
                    csv.printRecord(e.accruedAt().truncatedTo(ChronoUnit.SECONDS), e.kind(), e.listingId(), spreadsheetSafe(e.item()),
                            Aic.format(e.grossWei()), Aic.format(e.feeWei()), Aic.format(e.netWei()),
                            e.paid() ? "PAID" : "PENDING", e.paidTx(), l.paidBlock(),
                            e.paidAt() == null ? null : e.paidAt().truncatedTo(ChronoUnit.SECONDS));
                }
            }
        };
        return ResponseEntity.ok()
                .contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"earnings.csv\"")
                .body(body);
    }

    /** A ledger line as the page shows it. */
    record Row(Line line, String kindKey, String grossAic, String feeAic, String netAic, String txUrl) {
    }

    private Row row(Line l) {
        Earning e = l.earning();
        return new Row(l, "earnings.source." + e.kind().name().toLowerCase(), Aic.format(e.grossWei()),
                Aic.format(e.feeWei()), Aic.format(e.netWei()), e.paid() ? properties.transactionUrl(e.paidTx()) : null);
    }

    /** A title a spreadsheet would run as a formula is quoted as text (titles are anyone's input). */
    private static String spreadsheetSafe(String text) {
        return text != null && !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
    }

    private String text(String key) {
        return messages.getMessage(key, null, key, LocaleContextHolder.getLocale());
    }
}
