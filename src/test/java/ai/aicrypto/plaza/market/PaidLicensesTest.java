package ai.aicrypto.plaza.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What Proof of Value reads of a paid license: the wallet that was paid is the one the purchase's log named, not
 * whoever holds the asset token when the epoch closes (a listing sold since would otherwise hide a purchase its buyer
 * paid to their own wallet); and which transactions were purchases, so that a purchase's payment is not taken for a gift.
 */
class PaidLicensesTest extends IntegrationTest {

    private static final String BUYER = "0x00000000000000000000000000000000000000b1";
    private static final String LATER_HOLDER = "0x00000000000000000000000000000000000000c2";

    @Autowired
    TestUsers users;
    @Autowired
    PaidLicenses licenses;

    @Test
    void theWalletPaidIsTheOneThePurchaseNamed() {
        AccountPrincipal owner = users.member(), buyer = users.member();
        long listing = listing(owner);
        jdbc.sql("INSERT INTO asset_tokens (listing_id, owner_address) VALUES (?, ?)").params(listing, LATER_HOLDER).update();
        Instant at = Instant.parse("2026-03-04T05:06:07Z");
        // Bought from the buyer's own wallet when it held the token (a purchase from oneself), before a sale.
        jdbc.sql("""
                        INSERT INTO licenses (listing_id, user_id, buyer_address, seller_address, price_wei, fee_wei, tx_hash,
                                              log_index, granted_at)
                        VALUES (?, ?, ?, ?, 5000000000000000000, 125000000000000000, ?, 0, ?)""")
                .params(listing, buyer.id(), BUYER, BUYER, "0x" + "e5".repeat(32), Timestamp.from(at)).update();

        assertThat(licenses.grantedBetween(at, at.plusSeconds(1)))
                .extracting(PaidLicenses.PaidLicense::buyerWallet, PaidLicenses.PaidLicense::sellerWallet)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(BUYER, BUYER));
    }

    @Test
    void purchasesAreTheRecordedLicensesAndOwnershipSalesNotRevoked() {
        AccountPrincipal owner = users.member(), buyer = users.member();
        long listing = listing(owner);
        String license = "0x" + "7a".repeat(32), revoked = "0x" + "7b".repeat(32), sale = "0x" + "7c".repeat(32);
        String gift = "0x" + "7d".repeat(32);
        jdbc.sql("""
                        INSERT INTO licenses (listing_id, user_id, buyer_address, price_wei, fee_wei, tx_hash, log_index, revoked)
                        VALUES (?, ?, ?, 5, 0, ?, 1, false), (?, ?, ?, 5, 0, ?, 1, true)""")
                .params(listing, buyer.id(), BUYER, license, listing, buyer.id(), BUYER, revoked).update();
        jdbc.sql("""
                        INSERT INTO asset_sales (listing_id, buyer_address, seller_address, price_wei, fee_wei, royalty_wei, tx_hash,
                                                 log_index)
                        VALUES (?, ?, ?, 5, 0, 0, ?, 2)""")
                .params(listing, BUYER, LATER_HOLDER, sale).update();

        assertThat(licenses.purchasesAmong(List.of(license, revoked, sale, gift))).containsExactlyInAnyOrder(license, sale);
        assertThat(licenses.purchasesAmong(List.of())).isEmpty();
    }

    private long listing(AccountPrincipal owner) {
        return jdbc.sql("""
                        INSERT INTO listings (kind, owner_id, title, license, price_aic, status)
                        VALUES ('DATASET', ?, 'Resold data', 'MIT', 5, 'PUBLISHED') RETURNING id""")
                .param(owner.id()).query(Long.class).single();
    }
}
