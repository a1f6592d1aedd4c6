package dev.guardian;

import dev.guardian.adapters.wait.WaitMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Guardian's entry point. With no argument: the sidecar (or edge), serving probes until SIGTERM. With {@code wait}:
 * one verdict, then exit (see {@link WaitMode}).
 */
@QuarkusMain
public final class GuardianMain {
    private GuardianMain() {
    }

    public static void main(String... args) {
        if (args.length == 0) {
            Quarkus.run(args);
        } else if (args.length == 1 && args[0].equals("wait")) {
            WaitMode.prepare();
            Quarkus.run(WaitMode.class, args);
        } else {
            System.err.println("usage: guardian [wait]\n  (no argument)  run as a sidecar, answering probes until "
                    + "SIGTERM\n  wait            check everything once: exit 0 when ready, 3 when the startup budget "
                    + "ran out, 1 for invalid configuration");
            System.exit(2);
        }
    }
}
