package dev.meshwork.router.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.error.MeshError;
import java.util.Iterator;
import java.util.Set;

/** Typed reads of a management document's fields, with errors that name the field and the document. */
public final class DocumentFields {
    private DocumentFields() {
    }

    /** Refuses fields outside {@code known}, so that a misspelt key never goes unnoticed. */
    public static void checkKnown(JsonNode doc, Set<String> known, String what) {
        Iterator<String> it = doc.fieldNames();
        while (it.hasNext()) {
            String f = it.next();
            if (!known.contains(f)) {
                throw MeshError.invalid("unknown field '%s' in %s; known fields: %s", f, what, known);
            }
        }
    }

    /** A string field; absent or null is empty. */
    static String text(JsonNode node, String field, String what) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw MeshError.invalid("\"%s\" in %s must be a string, not %s", field, what, v.getNodeType());
        }
        return v.textValue();
    }

    /** A boolean field; absent or null is false. */
    static boolean flag(JsonNode node, String field, String what) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw MeshError.invalid("\"%s\" in %s must be true or false, not %s", field, what, v.getNodeType());
        }
        return v.booleanValue();
    }
}
