"""Reads an MLflow MLmodel file (YAML) without the mlflow or yaml packages: the nested mappings of
scalars that name a model's flavours are all the runtime needs; lists and flow values are kept as
their text."""


class MLmodelError(ValueError):
    """An MLmodel file that cannot be read."""


def parse(text):
    root = {}
    stack = [(-1, root)]  # (indent, mapping)
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.split(" #", 1)[0].rstrip() if not line.lstrip().startswith("#") else ""
        if not stripped.strip():
            continue
        indent = len(stripped) - len(stripped.lstrip(" "))
        body = stripped.strip()
        if body.startswith("- "):
            continue  # list items (signatures, requirements): not needed
        if ":" not in body:
            raise MLmodelError(f"MLmodel line {number}: expected 'key: value', got {body!r}")
        key, _, value = body.partition(":")
        key, value = _unquote(key.strip()), value.strip()
        while stack and indent <= stack[-1][0]:
            stack.pop()
        if not stack:
            raise MLmodelError(f"MLmodel line {number}: bad indentation")
        parent = stack[-1][1]
        if value == "" or value == "|" or value == ">":
            child = {}
            parent[key] = child
            stack.append((indent, child))
        else:
            parent[key] = _unquote(value)
    return root


def _unquote(s):
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        return s[1:-1]
    return s
