package dev.meshwork.placement.eviction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LruEvictionPolicyTest {
    final LruEvictionPolicy lru = new LruEvictionPolicy();

    @Test
    void theLeastRecentlyUsedGoesFirstAndTiesFreeTheMost() {
        assertThat(lru.victim(List.of())).isEmpty();
        assertThat(lru.victim(List.of(new EvictionCandidate("a", 10, 300, 5), new EvictionCandidate("b", 10, 100, 5),
                new EvictionCandidate("c", 10, 200, 5))).orElseThrow().modelId()).isEqualTo("b");
        assertThat(lru.victim(List.of(new EvictionCandidate("small", 10, 100, 5), new EvictionCandidate("big", 90, 100, 5)))
                .orElseThrow().modelId()).isEqualTo("big");
    }
}
