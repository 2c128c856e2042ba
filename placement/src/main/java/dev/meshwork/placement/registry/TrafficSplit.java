package dev.meshwork.placement.registry;

import dev.meshwork.protocol.error.MeshError;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a vmodel shares its requests between models (a canary at 90/10, an A/B test): each request
 * goes to one share's model with probability weight / total. With a sticky header, requests
 * carrying the same value of that header go to the same model while the split stands, so a user
 * sees one arm. Immutable; {@link #NONE} means all traffic goes to the vmodel's active model.
 *
 * @param shares       the models and their weights, in the order given; empty for no split
 * @param stickyHeader the request header whose value picks the share; empty for a random pick
 */
public record TrafficSplit(List<Share> shares, String stickyHeader) implements java.io.Serializable {
    /** No split. */
    public static final TrafficSplit NONE = new TrafficSplit(List.of(), "");
    /** More arms than this is a mistake, not an experiment. */
    public static final int MAX_SHARES = 16;
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}");

    /** One model's part of the traffic; a weight of 0 keeps the model loaded and in the split with no traffic (a rolled-back canary). */
    public record Share(String modelId, int weight) implements java.io.Serializable {
        public Share {
            if (modelId == null || modelId.isEmpty()) {
                throw MeshError.invalid("a traffic share needs a model");
            }
            if (weight < 0 || weight > 1_000_000) {
                throw MeshError.invalid("the weight of '%s' must be from 0 to 1000000, got %d", modelId, weight);
            }
        }
    }

    public TrafficSplit {
        shares = shares == null ? List.of() : List.copyOf(shares);
        stickyHeader = stickyHeader == null ? "" : stickyHeader;
        if (shares.size() > MAX_SHARES) {
            throw MeshError.invalid("a traffic split has at most %d models, got %d", MAX_SHARES, shares.size());
        }
        Set<String> seen = new HashSet<>();
        long total = 0;
        for (Share s : shares) {
            if (!seen.add(s.modelId())) {
                throw MeshError.invalid("model '%s' appears twice in the traffic split", s.modelId());
            }
            total += s.weight();
        }
        if (!shares.isEmpty() && total == 0) {
            throw MeshError.invalid("the weights of a traffic split must not all be 0");
        }
        if (!stickyHeader.isEmpty() && !HEADER.matcher(stickyHeader).matches()) {
            throw MeshError.invalid("stickyHeader must be an HTTP header name (letters, digits, '-', up to 64), got '%s'", stickyHeader);
        }
    }

    public boolean isSplit() {
        return !shares.isEmpty();
    }

    /** The model with the largest weight (the first of equals): the vmodel's active model while the split stands. */
    public String primary() {
        Share best = shares.get(0);
        for (Share s : shares) {
            if (s.weight() > best.weight()) {
                best = s;
            }
        }
        return best.modelId();
    }

    public List<String> models() {
        return shares.stream().map(Share::modelId).toList();
    }

    public boolean contains(String modelId) {
        for (Share s : shares) {
            if (s.modelId().equals(modelId)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The model a request goes to. {@code point} is uniform over the longs: a random number, or a
     * hash of the sticky header's value, so the same value always lands on the same share.
     */
    public String pick(long point) {
        long total = 0;
        for (Share s : shares) {
            total += s.weight();
        }
        long at = Math.floorMod(point, total);
        for (Share s : shares) {
            at -= s.weight();
            if (at < 0) {
                return s.modelId();
            }
        }
        throw new IllegalStateException("weights changed under the pick"); // cannot happen: the record is immutable
    }

    /** A 64-bit mix of a sticky value, so neighbouring values (user-1, user-2) spread over the shares. */
    public static long point(String stickyValue) {
        long h = 0xcbf29ce484222325L; // FNV-1a, then a final avalanche: stable across JVMs, unlike String.hashCode's use in maps
        for (int i = 0; i < stickyValue.length(); i++) {
            h ^= stickyValue.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
