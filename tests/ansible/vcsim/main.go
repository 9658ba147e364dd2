// SPDX-License-Identifier: GPL-2.0-or-later
// A vCenter simulator for the fleet tests, on govmomi's simulator package as Debian packages it
// (golang-github-vmware-govmomi-dev; that package carries the library, not the vcsim command).
// It serves a VPX inventory on 127.0.0.1:PORT until killed and prints its URL on stdout.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	listen := flag.String("l", "127.0.0.1:8989", "address to listen on")
	vms := flag.Int("vm", 2, "virtual machines per host")
	flag.Parse()

	model := simulator.VPX()
	model.Machine = *vms
	if err := model.Create(); err != nil {
		log.Fatal(err)
	}
	defer model.Remove()
	model.Service.Listen = &url.URL{Host: *listen}
	model.Service.TLS = new(tls.Config) // community.vmware speaks https only
	server := model.Service.NewServer()
	defer server.Close()
	fmt.Println(server.URL.String())
	os.Stdout.Sync()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
}
