// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"
#include "tune/tune.h"

/* The keys of a [Link] section that the plan sets; the current file's are left out. */
static bool is_our_key(const char *line, size_t len, const struct tune_plan *p)
{
	const struct {
		const char *key;
		bool set;
	} keys[] = {
		{ "RxBufferSize", p->rx_ring },    { "TxBufferSize", p->tx_ring },
		{ "RxChannels", p->channels },     { "TxChannels", p->channels },
		{ "CombinedChannels", p->channels },
	};

	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		size_t k = strlen(keys[i].key);
		const char *q = line + k;

		if (!keys[i].set || len <= k || strncmp(line, keys[i].key, k) != 0)
			continue;
		while (q < line + len && (*q == ' ' || *q == '\t'))
			q++;
		if (q < line + len && *q == '=')
			return true;
	}
	return false;
}

/* The [Link] section's setting lines of text (comments and blank lines left out). */
static void copy_link_section(FILE *f, const char *text, const struct tune_plan *p)
{
	bool in_link = false;

	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *s = line;

		while (len && isspace((unsigned char)s[len - 1]))
			len--;
		while (len && isspace((unsigned char)*s))
			s++, len--;
		if (len && *s == '[')
			in_link = len == 6 && strncmp(s, "[Link]", 6) == 0;
		else if (in_link && len && *s != '#' && *s != ';' && !is_our_key(s, len, p))
			fprintf(f, "%.*s\n", (int)len, s);
		line = end ? end + 1 : NULL;
	}
}

int tune_link_file(const char *mac, const char *current_link, const char *current_path,
		   const struct tune_plan *p, char **ret)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return -ENOMEM;
	fprintf(f, "# Written by vnic-install tune: the rings and channels of the NIC %s.\n", mac);
	fprintf(f, "# The other [Link] settings are those of %s, which udev applied to it\n"
		   "# before (so that its name stays). 'vnic-install rollback' removes this file.\n",
		current_path ? current_path : "no .link file");
	fprintf(f, "[Match]\nMACAddress=%s\nType=ether\n\n[Link]\n", mac);
	if (current_link)
		copy_link_section(f, current_link, p);
	if (p->rx_ring)
		fprintf(f, "RxBufferSize=%u\n", p->rx_ring);
	if (p->tx_ring)
		fprintf(f, "TxBufferSize=%u\n", p->tx_ring);
	if (p->channels && p->channels_combined)
		fprintf(f, "CombinedChannels=%u\n", p->channels);
	else if (p->channels)
		fprintf(f, "RxChannels=%u\nTxChannels=%u\n", p->channels, p->channels);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	return 0;
}

int tune_link_name(const char *ifname, const char *current_path, char **ret)
{
	const char *base = current_path ? strrchr(current_path, '/') : NULL;
	unsigned n = 99;

	base = base ? base + 1 : current_path;
	if (base && isdigit((unsigned char)base[0]) && isdigit((unsigned char)base[1]))
		n = (unsigned)((base[0] - '0') * 10 + (base[1] - '0'));
	return asprintf(ret, "%s/%02u-vnic-tune-%s.link", TUNE_LINK_DIR, n ? n - 1 : 0, ifname) < 0 ?
		       -ENOMEM : 0;
}

int tune_tcp_mem(const char *cur, uint64_t max, char *buf, size_t size)
{
	unsigned long long a = 4096, b = 131072;

	if (cur && *cur && sscanf(cur, "%llu %llu", &a, &b) != 2)
		return -EINVAL;
	if (b > max)
		b = max;
	return snprintf(buf, size, "%llu %llu %" PRIu64, a, b, max) >= (int)size ? -ENOBUFS : 0;
}

int tune_sysctl_file(const struct tune_plan *p, const struct tune_current *cur, char **ret)
{
	char rmem[64], wmem[64];
	int r;

	r = tune_tcp_mem(cur->tcp_rmem, p->socket_buffers, rmem, sizeof(rmem));
	if (r >= 0)
		r = tune_tcp_mem(cur->tcp_wmem, p->socket_buffers, wmem, sizeof(wmem));
	if (r < 0)
		return r;
	r = asprintf(ret,
		     "# Written by vnic-install tune: socket buffer limits for fast TCP.\n"
		     "# 'vnic-install rollback' removes this file.\n"
		     "net.core.rmem_max = %" PRIu64 "\nnet.core.wmem_max = %" PRIu64 "\n"
		     "net.ipv4.tcp_rmem = %s\nnet.ipv4.tcp_wmem = %s\n",
		     p->socket_buffers, p->socket_buffers, rmem, wmem);
	return r < 0 ? -ENOMEM : 0;
}
