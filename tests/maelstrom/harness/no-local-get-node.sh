#!/bin/sh
# A node without docs/protocol.md §14's local_get: it prints its arguments to stderr (the
# harness keeps them in node-logs/<id>.log), answers init, and answers every other request with
# error 10 (unsupported type). harness_replicas_without_local_get expects vckv-harness to pass
# --replicas and --vnodes to it and to call the run unknown, saying the node has no local_get.
echo "args: $*" >&2
id=""
while read -r line; do
  src=$(printf '%s\n' "$line" | sed -E 's/.*"src": *"([^"]+)".*/\1/')
  msg=$(printf '%s\n' "$line" | sed -E 's/.*"msg_id": *([0-9]+).*/\1/')
  if printf '%s\n' "$line" | grep -qE '"type": *"init"'; then
    id=$(printf '%s\n' "$line" | sed -E 's/.*"node_id": *"([^"]+)".*/\1/')
    printf '{"src": "%s", "dest": "%s", "body": {"type": "init_ok", "in_reply_to": %s}}\n' "$id" "$src" "$msg"
  else
    printf '{"src": "%s", "dest": "%s", "body": {"type": "error", "in_reply_to": %s, "code": 10, "text": "unsupported type"}}\n' "$id" "$src" "$msg"
  fi
done
