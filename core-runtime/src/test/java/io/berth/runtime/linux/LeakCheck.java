package io.berth.runtime.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Finds zombie children of this JVM (processes in state Z whose parent is us). */
final class LeakCheck {
    private LeakCheck() {
    }

    static List<Integer> zombieChildren() throws IOException {
        long self = ProcessHandle.current().pid();
        List<Integer> zombies = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (f[0].equals("Z") && Long.parseLong(f[1]) == self) {
                        zombies.add(Integer.parseInt(name));
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        }
        return zombies;
    }
}
