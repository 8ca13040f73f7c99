package ai.aicrypto.plaza.platform;

import java.util.Locale;

/** Sizes for people to read. */
public final class DataSizes {

    private static final String[] UNITS = {"KB", "MB", "GB", "TB"};

    private DataSizes() {
    }

    /** 512 → "512 bytes", 1536 → "1.5 KB", 4_424_000 → "4.2 MB" (binary units, one decimal). */
    public static String humanReadable(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
