# tests/e2e-lib.sh: what the end-to-end tests share, sourced after lib.sh:
# the Next.js example (contrib/nextjs) built as a standalone server, once per
# version of its sources, and kept under /var/cache/hinit-e2e (HINIT_E2E_CACHE)
# so a second run starts at once. The first run needs the npm registry.

E2E_SRC=$top_srcdir/contrib/nextjs
E2E_CACHE=${HINIT_E2E_CACHE:-/var/cache/hinit-e2e}

# nextjs_build: sets NEXT_DIR to a directory holding server.js (with
# .next/static), built from contrib/nextjs as its Dockerfile builds it.
nextjs_build() {
	local key work
	command -v node >/dev/null || fail "node is not installed"
	key=$(cd "$E2E_SRC" && find package.json next.config.js app \
	    -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
	NEXT_DIR=$E2E_CACHE/nextjs-$key
	[ -f "$NEXT_DIR/server.js" ] && return 0
	mkdir -p "$E2E_CACHE"
	# One build at a time (make -j runs tests side by side).
	exec 9>"$E2E_CACHE/lock"
	timeout 900 flock 9 || fail "the build lock was held too long"
	if [ ! -f "$NEXT_DIR/server.js" ]; then
		note "building contrib/nextjs (npm install, next build) into $NEXT_DIR"
		work=$E2E_CACHE/build-$key
		rm -rf "$work" "$NEXT_DIR.new"
		mkdir -p "$work"
		cp -r "$E2E_SRC/package.json" "$E2E_SRC/next.config.js" \
		    "$E2E_SRC/app" "$work/"
		chmod -R u+w "$work"
		if ! (cd "$work" &&
		    timeout 600 npm install --no-audit --no-fund --loglevel=error &&
		    NEXT_TELEMETRY_DISABLED=1 timeout 600 npx --no-install next build) \
		    >"$work.log" 2>&1; then
			tail -n 30 "$work.log" >&2
			rm -rf "$work" "$work.log"
			exec 9>&-
			fail "building the Next.js example failed"
		fi
		cp -r "$work/.next/static" "$work/.next/standalone/.next/static"
		mv "$work/.next/standalone" "$NEXT_DIR.new"
		mv "$NEXT_DIR.new" "$NEXT_DIR"
		rm -rf "$work" "$work.log"
	fi
	exec 9>&-
	[ -f "$NEXT_DIR/server.js" ] || fail "no server.js in $NEXT_DIR"
}

# http_code URL
http_code() {
	curl -s -o /dev/null -w '%{http_code}' --max-time "$(slow 5)" "$1"
}
