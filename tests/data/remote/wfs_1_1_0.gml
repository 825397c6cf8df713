<?xml version="1.0" encoding="UTF-8"?>
<wfs:FeatureCollection
    xmlns:ms="http://mapserver.gis.umn.edu/mapserver"
    xmlns:wfs="http://www.opengis.net/wfs"
    xmlns:gml="http://www.opengis.net/gml"
    numberOfFeatures="2">
  <gml:featureMember>
    <ms:cuidado gml:id="cuidado.1">
      <ms:msGeometry><gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>4.6 -74.1</gml:pos></gml:Point></ms:msGeometry>
      <ms:nombre>Manzana del Cuidado de Tunjuelito</ms:nombre>
      <ms:cupos>12</ms:cupos>
    </ms:cuidado>
  </gml:featureMember>
  <gml:featureMember>
    <ms:cuidado gml:id="cuidado.2">
      <ms:msGeometry><gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>4.7 -74.05</gml:pos></gml:Point></ms:msGeometry>
      <ms:nombre>Usaquén — atención a cuidadoras</ms:nombre>
      <ms:cupos>8</ms:cupos>
    </ms:cuidado>
  </gml:featureMember>
</wfs:FeatureCollection>
