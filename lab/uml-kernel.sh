# uml-kernel.sh — sourced by the scripts that boot the lab kernel: picks the user-mode-linux kernel.
#
# UML_BIN when the caller sets it; else the kernel lab/install-uml.sh chose for this host
# (/var/cache/lvsd-uml/linux, present only where Debian 12's kernel cannot boot); else Debian 12's
# /usr/bin/linux. Sets UML_BIN, UML_VERSION (the kernel's release, empty when there is no kernel) and
# UML_MODULES (the directory that holds <release>/kernel/..., the kernel's modules).
UML_CHOSEN_DIR=/var/cache/lvsd-uml
if [[ -z "${UML_BIN:-}" ]]; then
  if [[ -x $UML_CHOSEN_DIR/linux ]]; then UML_BIN=$UML_CHOSEN_DIR/linux; else UML_BIN=/usr/bin/linux; fi
fi
UML_VERSION=""
if [[ -x $UML_BIN ]]; then UML_VERSION=$("$UML_BIN" --version 2>/dev/null | head -n 1 || true); fi
if [[ -z "${UML_MODULES:-}" ]]; then
  if [[ -n $UML_VERSION && -d $UML_CHOSEN_DIR/modules/$UML_VERSION ]]; then UML_MODULES=$UML_CHOSEN_DIR/modules
  else UML_MODULES=/usr/lib/uml/modules; fi
fi
