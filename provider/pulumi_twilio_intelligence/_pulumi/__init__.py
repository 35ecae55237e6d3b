"""The Pulumi adapters: dynamic providers over the reconcilers (``providers``) and the plugin
process's state (``state``). The public resources (``resources``) and the program (``program``)
sit beside this package, on top of it."""
