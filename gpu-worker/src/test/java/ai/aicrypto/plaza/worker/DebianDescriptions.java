package ai.aicrypto.plaza.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real text corpus that every Debian machine has offline: the descriptions of the packages in the apt lists
 * ({@code apt-cache dumpavail}), labelled by their section.
 */
public final class DebianDescriptions {

    /** @param text the synopsis line and the long description, as one line */
    public record Package(String name, String section, String text) {
    }

    private DebianDescriptions() {
    }

    /** The first {@code perSection} packages of each section, in the lists' order. */
    public static List<Package> load(List<String> sections, int perSection) throws IOException, InterruptedException {
        Process apt = new ProcessBuilder("apt-cache", "dumpavail").redirectErrorStream(false).start();
        Map<String, List<Package>> bySection = new LinkedHashMap<>();
        sections.forEach(s -> bySection.put(s, new ArrayList<>()));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(apt.getInputStream(), StandardCharsets.UTF_8))) {
            String name = null, section = null;
            StringBuilder description = null;
            boolean inDescription = false; // continuation lines belong to the field above them (Tag: has some too)
            for (String line = in.readLine(); ; line = in.readLine()) {
                if (line == null || line.isEmpty()) {
                    List<Package> bucket = section == null ? null : bySection.get(section);
                    if (bucket != null && description != null && bucket.size() < perSection) {
                        bucket.add(new Package(name, section, description.toString().strip()));
                    }
                    if (line == null) break;
                    name = section = null;
                    description = null;
                    inDescription = false;
                } else if (line.startsWith(" ")) {
                    if (inDescription && !line.equals(" .")) description.append(' ').append(line.strip());
                } else {
                    inDescription = line.startsWith("Description: ");
                    if (line.startsWith("Package: ")) name = line.substring(9);
                    if (line.startsWith("Section: ")) section = line.substring(9).replaceFirst("^.*/", ""); // contrib/games -> games
                    if (inDescription) description = new StringBuilder(line.substring(13));
                }
            }
        }
        apt.waitFor();
        List<Package> all = new ArrayList<>();
        bySection.forEach((section, packages) -> {
            if (packages.size() < perSection) {
                throw new IllegalStateException("the apt lists have " + packages.size() + " packages of section " + section
                        + ", " + perSection + " wanted (run apt-get update)");
            }
            all.addAll(packages);
        });
        return all;
    }
}
