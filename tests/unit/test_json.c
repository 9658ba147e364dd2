// SPDX-License-Identifier: GPL-2.0-or-later
/* The JSON writer always produces valid JSON, whatever bytes it is given. */
#include "unit.h"

#include "lib/json.h"

static char *render(void (*fn)(struct json_writer *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_writer w;

	assert_non_null(f);
	json_init(&w, f, false);
	fn(&w);
	fclose(f);
	return buf;
}

static void nested(struct json_writer *w)
{
	json_object_begin(w, NULL);
	json_string(w, "id", "debian");
	json_array_begin(w, "id_like");
	json_string(w, NULL, "a");
	json_string(w, NULL, "b");
	json_array_end(w);
	json_array_begin(w, "empty");
	json_array_end(w);
	json_null(w, "headers");
	json_int(w, "mtu", -1500);
	json_bool(w, "running", true);
	json_object_end(w);
}

static void escapes(struct json_writer *w)
{
	json_object_begin(w, NULL);
	json_string(w, "s", "q\"b\\n\n\x01\x7f\xff\xc3\xa9\xed\xa0\x80");
	json_object_end(w);
}

static void test_nested(void **state)
{
	_cleanup_free_ char *s = render(nested);

	assert_string_equal(s, "{\"id\":\"debian\",\"id_like\":[\"a\",\"b\"],\"empty\":[],"
			       "\"headers\":null,\"mtu\":-1500,\"running\":true}\n");
}

static void test_escapes_and_invalid_utf8(void **state)
{
	_cleanup_free_ char *s = render(escapes);

	/* é (valid) passes through; 0xff and an encoded surrogate are replaced. */
	assert_string_equal(s, "{\"s\":\"q\\\"b\\\\n\\n\\u0001\\u007f\\ufffd\xc3\xa9"
			       "\\ufffd\\ufffd\\ufffd\"}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_escapes_and_invalid_utf8),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
