# Descargas: documentos que la empresa publicó para la cuenta y para todos sus clientes.
nav-documents = Descargas
documents-title = Descargas
documents-none = Todavía no hay documentos para descargar.
documents-none-on-page = No hay documentos en esta página.
documents-for-account = Para su cuenta
documents-from-business = De { $business }
documents-col-document = Documento
documents-col-file = Archivo
documents-col-published = Publicado
documents-file = { $kind }, { $size }
