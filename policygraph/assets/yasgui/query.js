(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("pg-data").textContent);
  var endpoint = new URL("sparql", window.location.href).href;
  document.getElementById("pg-endpoint").textContent = endpoint;
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    populateFromUrl: false,
    persistenceId: "policygraph-" + window.location.host,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { value: data.examples.length ? data.examples[0].text : "SELECT * WHERE { ?s ?p ?o } LIMIT 10" }
  });
  var tab = yasgui.getTab();
  if (tab && tab.getEndpoint() !== endpoint) { tab.setEndpoint(endpoint); }
  var select = document.getElementById("pg-examples");
  data.examples.forEach(function (example, i) {
    var option = document.createElement("option");
    option.value = String(i);
    option.textContent = example.title;
    option.title = example.description;
    select.appendChild(option);
  });
  select.addEventListener("change", function () {
    if (select.value === "") { return; }
    var current = yasgui.getTab();
    current.setEndpoint(endpoint);
    current.setQuery(data.examples[Number(select.value)].text);
    select.value = "";
  });
  window.pgYasgui = yasgui;
}());
