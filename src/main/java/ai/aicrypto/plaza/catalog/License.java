package ai.aicrypto.plaza.catalog;

import java.util.Arrays;
import java.util.Optional;

/** Licenses a listing may carry, by SPDX identifier. */
public enum License {
    CC0_1_0("CC0-1.0"),
    CC_BY_4_0("CC-BY-4.0"),
    CC_BY_SA_4_0("CC-BY-SA-4.0"),
    CC_BY_NC_4_0("CC-BY-NC-4.0"),
    ODBL_1_0("ODbL-1.0"),
    MIT("MIT"),
    APACHE_2_0("Apache-2.0"),
    PROPRIETARY("LicenseRef-Proprietary");

    private final String spdx;

    License(String spdx) {
        this.spdx = spdx;
    }

    public String spdx() {
        return spdx;
    }

    public static Optional<License> fromSpdx(String id) {
        return Arrays.stream(values()).filter(l -> l.spdx.equalsIgnoreCase(id)).findFirst();
    }
}
