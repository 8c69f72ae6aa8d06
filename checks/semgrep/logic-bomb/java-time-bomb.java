import java.time.LocalDate;

public class Bootstrap {
    static void start() {
        if (LocalDate.now().isAfter(LocalDate.of(2026, 9, 1))) {
            // ruleid: java-time-bomb
            System.exit(3);
        }
        if (System.currentTimeMillis() > 1767225600000L) {
            // ruleid: java-time-bomb
            new java.io.File(DATA).delete();
        }
    }

    static void evict(Entry e, long ttl) {
        if (System.currentTimeMillis() - e.created > ttl) {
            // ok: java-time-bomb
            e.file.delete();
        }
    }

    static void notice() {
        if (LocalDate.now().getYear() >= 2026) {
            // ok: java-time-bomb
            log.warn("support ends soon");
        }
    }
}
