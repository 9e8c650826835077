#!/bin/sh
# A node that breaks the protocol: it answers init, then prints a line that is not JSON.
# harness_garbage_output_detected expects vckv-harness to call the run invalid because of it.
read -r line
id=$(printf '%s\n' "$line" | sed -E 's/.*"node_id": *"([^"]+)".*/\1/')
msg=$(printf '%s\n' "$line" | sed -E 's/.*"msg_id": *([0-9]+).*/\1/')
printf '{"src": "%s", "dest": "c0", "body": {"type": "init_ok", "in_reply_to": %s}}\n' "$id" "$msg"
read -r line
echo "hello, I am not JSON"
exec cat >/dev/null
