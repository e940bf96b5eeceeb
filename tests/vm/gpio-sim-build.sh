#!/bin/sh
# Inside the test machine's root: build gpio-sim (and the irq_sim it needs) as one out-of-tree
# module for the installed kernel, which lacks CONFIG_GPIO_SIM (Debian 12's and 13's), from the
# kernel's own sources of the three files, unpacked into the directory given (base.sh).
set -eu
kver=$(ls /lib/modules | sort -V | tail -n 1)
cd "$1"
cp drivers/gpio/gpiolib.h .
cp drivers/gpio/gpio-sim.c sim.c
objs=sim.o
if ! grep -q '^CONFIG_IRQ_SIM=y' "/boot/config-$kver"; then
	# irq_to_desc is not exported to modules; generic_handle_irq does the same job.
	sed -e 's/handle_simple_irq(irq_to_desc(\([a-z_]*\)))/generic_handle_irq(\1)/' \
		-e '/^EXPORT_SYMBOL/d' kernel/irq/irq_sim.c >irq_sim.c
	objs="$objs irq_sim.o"
fi
printf 'obj-m := gpio-sim.o\ngpio-sim-y := %s\n' "$objs" >Kbuild
make -s -C "/lib/modules/$kver/build" M="$PWD" modules
install -D -m 0644 gpio-sim.ko "/lib/modules/$kver/extra/gpio-sim.ko"
depmod "$kver"
echo "vm-test: gpio-sim built for $kver" >&2
