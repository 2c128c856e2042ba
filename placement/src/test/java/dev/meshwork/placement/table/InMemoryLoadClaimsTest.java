package dev.meshwork.placement.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InMemoryLoadClaimsTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final Set<String> alive = new HashSet<>(Set.of("r1", "r2"));
    private final LoadClaims claims = new InMemoryLoadClaims(alive::contains, now::get);

    @Test
    void oneOwnerAtATime() {
        assertThat(claims.tryClaim("m", "r1", 100)).isEmpty();
        assertThat(claims.tryClaim("m", "r2", 100)).get().extracting(LoadClaims.Claim::owner).isEqualTo("r1");
        assertThat(claims.tryClaim("m", "r1", 100)).as("the owner renews").isEmpty();
        claims.release("m", "r2");
        assertThat(claims.current("m")).get().extracting(LoadClaims.Claim::owner).as("only the owner releases").isEqualTo("r1");
        claims.release("m", "r1");
        assertThat(claims.tryClaim("m", "r2", 100)).isEmpty();
    }

    @Test
    void aLapsedLeaseOrADeadOwnerIsTakenOver() {
        claims.tryClaim("m", "r1", 100);
        now.addAndGet(101);
        assertThat(claims.tryClaim("m", "r2", 100)).isEmpty();
        alive.remove("r2");
        assertThat(claims.tryClaim("m", "r1", 100)).as("r2 left the cluster").isEmpty();
    }

    @Test
    void aClaimThatPromisesMoreThanALeaseIsNotHonoured() {
        // written by a live router's name but to last a day: stale (a clock far ahead) or forged
        ((InMemoryLoadClaims) claims).tryClaim("m", "r1", 86_400_000);
        assertThat(claims.tryClaim("m", "r2", 100)).as("taken over at once, not after a day").isEmpty();
    }
}
